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

    private ServiceBusHarness(ServiceProvider provider, FakeServiceBusSender sender, FakeDeadLetterReceiver deadLetterQueue, ConcurrentQueue<string> opened, RecordingLoggerProvider logs)
    {
        _provider = provider;
        OpenedSubscriptions = opened;
        Sender = sender;
        DeadLetterQueue = deadLetterQueue;
        Logs = logs;
        Metrics = new MetricRecorder(provider.GetRequiredService<IMeterFactory>());
        Transport = provider.GetRequiredService<ServiceBusTransport>();
    }

    public FakeServiceBusSender Sender { get; }

    public FakeDeadLetterReceiver DeadLetterQueue { get; }

    // The subscriptions whose dead-letter queue was opened, in order.
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
        var sender = new FakeServiceBusSender();
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
        services.AddSingleton<ServiceBusSender>(sender);
        services.AddSingleton<OpenDeadLetterReceiver>(subscription =>
        {
            opened.Enqueue(subscription);
            return deadLetterQueue;
        });
        return new ServiceBusHarness(services.BuildServiceProvider(validateScopes: true), sender, deadLetterQueue, opened, logs);
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
