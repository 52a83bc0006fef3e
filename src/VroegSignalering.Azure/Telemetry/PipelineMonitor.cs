using System.Diagnostics.Metrics;
using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Azure.Telemetry;

/// <summary>Section <c>Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Sample queue ages, poison-queue lengths and outbox backlog as gauges.</summary>
    public bool MonitorEnabled { get; set; } = true;

    public TimeSpan MonitorInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Also write traces and metrics to the console (local debugging).</summary>
    public bool Console { get; set; }
}

/// <summary>
/// Samples what operators must see is stuck: age of the oldest message and length of every app queue
/// and its poison queue, and outbox rows pending and failed. Published as observable gauges
/// <c>vroeg.queue.age.seconds</c>, <c>vroeg.queue.length</c>, <c>vroeg.queue.poison.length</c> (by queue),
/// <c>vroeg.outbox.pending</c> and <c>vroeg.outbox.failed</c>.
/// </summary>
public sealed partial class PipelineMonitor : BackgroundService
{
    private readonly StorageClients _storage;
    private readonly StorageNames _names;
    private readonly IOutboxIndex _outbox;
    private readonly TimeProvider _time;
    private readonly TelemetryOptions _options;
    private readonly ILogger<PipelineMonitor> _logger;
    private volatile Snapshot _snapshot = new([], 0, 0);

    public PipelineMonitor(StorageClients storage, StorageNames names, IOutboxIndex outbox, VroegTelemetry telemetry, TimeProvider time, IOptions<TelemetryOptions> options, ILogger<PipelineMonitor> logger)
    {
        _storage = storage;
        _names = names;
        _outbox = outbox;
        _time = time;
        _options = options.Value;
        _logger = logger;
        telemetry.Meter.CreateObservableGauge("vroeg.queue.age.seconds", () => _snapshot.Queues.Select(q => new Measurement<double>(q.AgeSeconds, new KeyValuePair<string, object?>("queue", q.Name))), "s", "Age of the oldest message per queue");
        telemetry.Meter.CreateObservableGauge("vroeg.queue.length", () => _snapshot.Queues.Select(q => new Measurement<long>(q.Length, new KeyValuePair<string, object?>("queue", q.Name))), "{message}", "Approximate messages per queue");
        telemetry.Meter.CreateObservableGauge("vroeg.queue.poison.length", () => _snapshot.Queues.Select(q => new Measurement<long>(q.PoisonLength, new KeyValuePair<string, object?>("queue", q.Name))), "{message}", "Messages in each queue's poison queue");
        telemetry.Meter.CreateObservableGauge("vroeg.outbox.pending", () => _snapshot.OutboxPending, "{task}", "Outbox rows not sent yet");
        telemetry.Meter.CreateObservableGauge("vroeg.outbox.failed", () => _snapshot.OutboxFailed, "{task}", "Outbox rows that failed permanently and wait for `vroeg outbox retry`");
    }

    public sealed record QueueState(string Name, long Length, double AgeSeconds, long PoisonLength);

    public sealed record Snapshot(IReadOnlyList<QueueState> Queues, long OutboxPending, long OutboxFailed);

    public Snapshot Current => _snapshot;

    public async Task<Snapshot> SampleAsync(CancellationToken cancellationToken)
    {
        var queues = new List<QueueState>();
        foreach (var name in new[] { _names.SignalsIntakeQueue, _names.DispatchQueue })
        {
            var (length, age) = await MeasureAsync(_storage.Queues.GetQueueClient(name), cancellationToken);
            var (poison, _) = await MeasureAsync(_storage.Queues.GetQueueClient(name + "-poison"), cancellationToken);
            queues.Add(new QueueState(name, length, age, poison));
        }

        long pending = 0;
        long failed = 0;
        await foreach (var _ in _outbox.ListAsync(OutboxIndexState.Pending, DateTimeOffset.MaxValue, cancellationToken))
        {
            pending++;
        }

        await foreach (var _ in _outbox.ListAsync(OutboxIndexState.Failed, DateTimeOffset.MaxValue, cancellationToken))
        {
            failed++;
        }

        _snapshot = new Snapshot(queues, pending, failed);
        return _snapshot;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.MonitorEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSampleFailed(_logger, ex.GetType().Name);
            }

            try
            {
                await Task.Delay(_options.MonitorInterval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<(long Length, double AgeSeconds)> MeasureAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await queue.GetPropertiesAsync(cancellationToken);
            var peeked = await queue.PeekMessageAsync(cancellationToken);
            var age = peeked.Value?.InsertedOn is { } inserted ? Math.Max(0, (_time.GetUtcNow() - inserted).TotalSeconds) : 0;
            return (properties.Value.ApproximateMessagesCount, age);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (0, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sampling pipeline gauges failed ({ExceptionType})")]
    private static partial void LogSampleFailed(ILogger logger, string exceptionType);
}
