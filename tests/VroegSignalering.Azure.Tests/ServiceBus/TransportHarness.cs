using System.Diagnostics.Metrics;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.Tests.ServiceBus;

// The transport as AddServiceBusTransport registers it, pointed at a FakeServiceBus, with
// near-zero retry delays so fault tests never wait on the wall clock.
internal sealed class TransportHarness : IAsyncDisposable
{
    public const string Namespace = "vroeg-ns.servicebus.windows.net";
    public const string KeyName = "dispatch-send";
    public const string Key = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0wMTIzNDU2Nzg5QUJDREVG";

    private readonly ServiceProvider _provider;

    private TransportHarness(FakeServiceBus broker, ServiceProvider provider, RecordingLoggerProvider logs, FakeTokenCredential credential)
    {
        Broker = broker;
        _provider = provider;
        Logs = logs;
        Credential = credential;
        Metrics = new MetricRecorder(provider.GetRequiredService<IMeterFactory>());
        Transport = provider.GetRequiredService<ServiceBusRestTransport>();
    }

    public FakeServiceBus Broker { get; }

    public ServiceBusRestTransport Transport { get; }

    public RecordingLoggerProvider Logs { get; }

    public FakeTokenCredential Credential { get; }

    public MetricRecorder Metrics { get; }

    public static string ConnectionString => $"Endpoint=sb://{Namespace}/;SharedAccessKeyName={KeyName};SharedAccessKey={Key}";

    // settings: Overrides of Dispatch:ServiceBus settings (key without the section prefix; null removes).
    public static async Task<TransportHarness> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var broker = await FakeServiceBus.StartAsync();
        var values = new Dictionary<string, string?>
        {
            ["FullyQualifiedNamespace"] = Namespace,
            ["Endpoint"] = broker.BaseUri.ToString(),
            ["BaseRetryDelay"] = "00:00:00",
            ["MaxRetryDelay"] = "00:00:00.010",
            ["MaxRetryAttempts"] = "3",
            ["AttemptTimeout"] = "00:00:10",
            ["TotalTimeout"] = "00:00:30",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Where(kv => kv.Value is not null)
                .Select(kv => new KeyValuePair<string, string?>($"{ServiceBusTransportOptions.SectionName}:{kv.Key}", kv.Value)))
            .Build();

        var logs = new RecordingLoggerProvider();
        var credential = new FakeTokenCredential(time ?? TimeProvider.System);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddServiceBusTransport(configuration);
        services.AddKeyedSingleton<TokenCredential>(ServiceBusRestTransport.CredentialServiceKey, credential);
        return new TransportHarness(broker, services.BuildServiceProvider(validateScopes: true), logs, credential);
    }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken = default) =>
        Transport.PublishAsync(messages, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await _provider.DisposeAsync();
        await Broker.DisposeAsync();
    }
}

internal static class TestMessages
{
    // Outreach-task-like messages; bodyBytes pads the body to about that size.
    public static OutboundMessage[] Create(int count, int bodyBytes = 200, string prefix = "task") =>
        Enumerable.Range(0, count).Select(i => One($"{prefix}-{i:D4}", bodyBytes)).ToArray();

    public static OutboundMessage One(string id, int bodyBytes = 200) => new()
    {
        MessageId = id,
        Subject = "outreach-task.v1",
        CorrelationId = $"case-{id}",
        SessionId = $"household-{id}",
        TimeToLive = TimeSpan.FromDays(14),
        ApplicationProperties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gemeentecode"] = "GM0363",
            ["team"] = "schuldhulp-noord",
            ["priority"] = "high",
        },
        Body = Body(id, bodyBytes),
    };

    public static string Body(string id, int bodyBytes)
    {
        var head = $"{{\"taskId\":\"{id}\",\"note\":\"";
        const string tail = "\"}";
        return head + new string('x', Math.Max(0, bodyBytes - head.Length - tail.Length)) + tail;
    }
}
