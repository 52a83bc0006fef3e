using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Benchmarks;

// Outreach tasks per second through the Service Bus REST transport (SAS auth, resilience pipeline,
// batching by measured size) against a local listener answering 201. One operation is one message, so
// Op/s reads as messages per second; each invocation publishes 1,000 messages of about 2 KB.
// MaxBatchMessages = 1 is the unbatched baseline.
[Config(typeof(Config))]
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private const int MessagesPerPublish = 1000;

    private LocalServiceBus _broker = null!;
    private ServiceProvider _provider = null!;
    private ServiceBusRestTransport _transport = null!;
    private OutboundMessage[] _messages = null!;

    [Params(100, 1)]
    public int MaxBatchMessages { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _broker = await LocalServiceBus.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dispatch:ServiceBus:ConnectionString"] =
                "Endpoint=sb://vroeg-ns.servicebus.windows.net/;SharedAccessKeyName=dispatch-send;SharedAccessKey=YmVuY2htYXJrLWtleS1ub3QtYS1yZWFsLXNlY3JldA==",
            ["Dispatch:ServiceBus:Endpoint"] = _broker.BaseUri.ToString(),
            ["Dispatch:ServiceBus:MaxBatchMessages"] = MaxBatchMessages.ToString(CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddServiceBusTransport(configuration);
        _provider = services.BuildServiceProvider();
        _transport = _provider.GetRequiredService<ServiceBusRestTransport>();
        _messages = Enumerable.Range(0, MessagesPerPublish).Select(CreateTask).ToArray();

        var outcomes = await _transport.PublishAsync(_messages, CancellationToken.None);
        if (outcomes.Any(o => o.Status != PublishStatus.Sent))
        {
            throw new InvalidOperationException("the local listener did not accept every message; the benchmark would measure failures");
        }
    }

    [Benchmark(OperationsPerInvoke = MessagesPerPublish)]
    public async Task<int> PublishOutreachTasks()
    {
        var outcomes = await _transport.PublishAsync(_messages, CancellationToken.None);
        return outcomes.Count;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _provider.DisposeAsync();
        await _broker.DisposeAsync();
    }

    // An outreach task shaped like the real one: ids, routing properties, arrears facts and sealed contact data.
    private static OutboundMessage CreateTask(int i)
    {
        var taskId = string.Create(CultureInfo.InvariantCulture, $"ot-2026-{i:D6}-v1");
        var sealedContact = Convert.ToBase64String(Enumerable.Range(0, 900).Select(b => (byte)((b * 31 + i) % 251)).ToArray());
        var body = string.Create(CultureInfo.InvariantCulture, $$$"""
            {"taskId":"{{{taskId}}}","caseId":"case-{{{i:D6}}}","caseVersion":1,"householdKey":"hh-{{{(i * 7919) % 100000:D5}}}-8f3a91c2d4e5b6a7","gemeentecode":"GM0363","team":"schuldhulp-noord","priority":"high","reason":"multiple arrears within 60 days","createdAt":"2026-03-02T09:00:00Z","dueBy":"2026-03-09T09:00:00Z","signals":[{"signaalpartnerType":"woningcorporatie","achterstandBedrag":1250.50,"achterstandMaanden":3,"peildatum":"2026-02-28"},{"signaalpartnerType":"energieleverancier","achterstandBedrag":412.75,"achterstandMaanden":2,"peildatum":"2026-02-27"},{"signaalpartnerType":"zorgverzekeraar","achterstandBedrag":389.10,"achterstandMaanden":2,"peildatum":"2026-02-25"}],"contact":{"keyId":"kv-contact-2026-01","ciphertext":"{{{sealedContact}}}"}}
            """);
        return new OutboundMessage
        {
            MessageId = taskId,
            Subject = "outreach-task.v1",
            CorrelationId = string.Create(CultureInfo.InvariantCulture, $"case-{i:D6}"),
            SessionId = string.Create(CultureInfo.InvariantCulture, $"case-{i:D6}"),
            TimeToLive = TimeSpan.FromDays(14),
            ApplicationProperties = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["gemeentecode"] = "GM0363",
                ["team"] = "schuldhulp-noord",
                ["priority"] = "high",
            },
            Body = body,
        };
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
