using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.Tests.ServiceBus;

// The transport and the dead-letter reader as AddServiceBusTransport registers them, with the topic's
// ServiceBusSender and the dead-letter receiver replaced by fakes (so nothing reaches for a broker),
// and their logs and metrics recorded.
internal sealed class ServiceBusHarness : IAsyncDisposable
{
    public const string Namespace = "vroeg-ns.servicebus.windows.net";

    private readonly ServiceProvider _provider;

    public const string Topic = "outreach-gm0363"; // the topic of TestMessages' gemeente

    private readonly ConcurrentDictionary<string, FakeServiceBusSender> _senders;

    private ServiceBusHarness(ServiceProvider provider, ConcurrentDictionary<string, FakeServiceBusSender> senders, FakeDeadLetterReceiver deadLetterQueue, ConcurrentQueue<string> opened, RecordingLoggerProvider logs)
    {
        _provider = provider;
        _senders = senders;
        OpenedSubscriptions = opened;
        DeadLetterQueue = deadLetterQueue;
        Logs = logs;
        Metrics = new MetricRecorder(provider.GetRequiredService<IMeterFactory>());
        Transport = provider.GetRequiredService<ServiceBusTransport>();
    }

    // The sender of TestMessages' gemeente topic.
    public FakeServiceBusSender Sender => SenderOf(Topic);

    // The fake sender of a topic (created on first use, by the transport or the test).
    public FakeServiceBusSender SenderOf(string topic) => _senders.GetOrAdd(topic, _ => new FakeServiceBusSender());

    // The topics the transport opened a sender for.
    public IReadOnlyCollection<string> OpenedTopics => [.. _opened.Keys];

    private readonly ConcurrentDictionary<string, bool> _opened = new(StringComparer.Ordinal);

    public FakeDeadLetterReceiver DeadLetterQueue { get; }

    // The subscriptions whose dead-letter queue was opened, in order, as "<topic>/<subscription>".
    public ConcurrentQueue<string> OpenedSubscriptions { get; }

    public ServiceBusTransport Transport { get; }

    public ServiceBusDeadLetters DeadLetters => Get<ServiceBusDeadLetters>();

    public RecordingLoggerProvider Logs { get; }

    public MetricRecorder Metrics { get; }

    // settings: Dispatch:ServiceBus settings (key without the section prefix; null removes the default).
    public static ServiceBusHarness Start(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var values = new Dictionary<string, string?> { ["FullyQualifiedNamespace"] = Namespace };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Where(kv => kv.Value is not null)
                .Select(kv => new KeyValuePair<string, string?>($"{ServiceBusTransportOptions.SectionName}:{kv.Key}", kv.Value)))
            .Build();

        var logs = new RecordingLoggerProvider();
        var senders = new ConcurrentDictionary<string, FakeServiceBusSender>(StringComparer.Ordinal);
        ServiceBusHarness? harness = null;
        var deadLetterQueue = new FakeDeadLetterReceiver();
        var opened = new ConcurrentQueue<string>();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddServiceBusTransport(configuration);

        // How a host's test overrides replace the SDK's objects: registered after the app's, they win.
        services.AddSingleton<OpenTopicSender>(topic =>
        {
            harness!._opened[topic] = true;
            return harness.SenderOf(topic);
        });
        services.AddSingleton<OpenDeadLetterReceiver>((topic, subscription) =>
        {
            opened.Enqueue($"{topic}/{subscription}");
            return deadLetterQueue;
        });
        return harness = new ServiceBusHarness(services.BuildServiceProvider(validateScopes: true), senders, deadLetterQueue, opened, logs);
    }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken = default) =>
        Transport.PublishAsync(messages, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await _provider.DisposeAsync();
    }
}
