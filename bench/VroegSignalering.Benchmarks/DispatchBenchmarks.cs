using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Messaging.ServiceBus;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Benchmarks;

// Outreach tasks per second through the Service Bus transport's own work: mapping each task onto a
// ServiceBusMessage, filling ServiceBusMessageBatches (the model factory's batches convert every message
// to AMQP as it is added, as the SDK's do) and settling one outcome per message. The sender is a fake
// that accepts every batch, so no broker, network or AMQP link is measured. One operation is one
// message, so Op/s reads as messages per second; each invocation publishes 1,000 messages of about
// 2 KB. MaxBatchMessages = 1 is the unbatched baseline.
[Config(typeof(Config))]
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private const int MessagesPerPublish = 1000;

    private ServiceProvider _provider = null!;
    private ServiceBusTransport _transport = null!;
    private AcceptingSender _sender = null!;
    private OutboundMessage[] _messages = null!;

    [Params(100, 1)]
    public int MaxBatchMessages { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        _provider = services.BuildServiceProvider();
        _sender = new AcceptingSender();
        _transport = new ServiceBusTransport(
            _ => _sender,
            new ServiceBusTransportOptions { MaxBatchMessages = MaxBatchMessages },
            _provider.GetRequiredService<IMeterFactory>(),
            _provider.GetRequiredService<ILogger<ServiceBusTransport>>());
        _messages = Enumerable.Range(0, MessagesPerPublish).Select(CreateTask).ToArray();

        var outcomes = await _transport.PublishAsync(_messages, CancellationToken.None);
        if (outcomes.Any(o => o.Status != PublishStatus.Sent) || _sender.Messages != MessagesPerPublish)
        {
            throw new InvalidOperationException("the fake sender did not take every message; the benchmark would measure failures");
        }
    }

    [Benchmark(OperationsPerInvoke = MessagesPerPublish)]
    public async Task<int> PublishOutreachTasks()
    {
        var outcomes = await _transport.PublishAsync(_messages, CancellationToken.None);
        return outcomes.Count;
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _provider.DisposeAsync();

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
                ["gemeentecode"] = "0363",
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

    // Takes every batch. Batches hold up to 256 KB (Standard tier) by the body size plus a fixed
    // envelope per message: the real limit comes from the broker's link, which this fake has none of.
    private sealed class AcceptingSender : ServiceBusSender
    {
        private const long MaxBatchBytes = 262_144;
        private const int EnvelopeBytes = 256;
        private readonly ConditionalWeakTable<ServiceBusMessageBatch, List<ServiceBusMessage>> _contents = new();
        private long _messages;

        public long Messages => Interlocked.Read(ref _messages);

        public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default) =>
            CreateMessageBatchAsync(new CreateMessageBatchOptions(), cancellationToken);

        public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CreateMessageBatchOptions options, CancellationToken cancellationToken = default)
        {
            var store = new List<ServiceBusMessage>();
            long bytes = 0;
            var batch = ServiceBusModelFactory.ServiceBusMessageBatch(0, store, new CreateMessageBatchOptions { MaxSizeInBytes = MaxBatchBytes }, message =>
            {
                var size = message.Body.ToMemory().Length + EnvelopeBytes;
                if (bytes + size > MaxBatchBytes)
                {
                    return false;
                }

                bytes += size;
                return true;
            });
            _contents.Add(batch, store);
            return ValueTask.FromResult(batch);
        }

        public override Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _messages, _contents.TryGetValue(messageBatch, out var store) ? store.Count : 0);
            return Task.CompletedTask;
        }

        public override Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
