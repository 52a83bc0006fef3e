using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Quarantine;

namespace VroegSignalering.Core.Common;

/// <summary>A storage queue and its poison queue as the sample found them. Oldest: insertion time of the first visible message, null when empty.</summary>
public sealed record QueueReading(string Queue, long Length, DateTimeOffset? Oldest, long PoisonLength, DateTimeOffset? OldestPoison);

/// <summary>Quarantined signals: how many, when the oldest of them was quarantined (null when none), and how many were quarantined before the overdue line.</summary>
public sealed record QuarantineReading(long Signals, DateTimeOffset? Oldest, long Overdue = 0);

/// <summary>Reads the state of the app's queues and quarantine. Counts and timestamps only: never a message or signal body.</summary>
public interface IPipelineProbe
{
    Task<IReadOnlyList<QueueReading>> ReadQueuesAsync(CancellationToken cancellationToken);

    /// <summary>Counts, the oldest, and those quarantined before <paramref name="overdueBefore"/>.</summary>
    Task<QuarantineReading> ReadQuarantineAsync(DateTimeOffset overdueBefore, CancellationToken cancellationToken);
}

/// <summary>What one sample found; ages are measured at <see cref="At"/>.</summary>
public sealed record PipelineSample(
    DateTimeOffset At,
    IReadOnlyList<QueueReading> Queues,
    long OutboxPending,
    TimeSpan OldestPendingAge,
    long OutboxFailed,
    long Quarantined,
    TimeSpan OldestQuarantinedAge,
    long QuarantineOverdue = 0);

/// <summary>
/// One sample of everything operators must see waiting: queue lengths and ages, poison queues, outbox rows
/// pending and failed, quarantined signals, each with the age of its oldest item, recorded as gauges,
/// plus one heartbeat. Runs from the SamplePipeline timer, so once per interval for the whole app (not on
/// every instance), and a dead app records nothing: the heartbeat alert fires on that silence.
/// </summary>
public sealed partial class PipelineSampler(
    IPipelineProbe probe,
    IOutboxIndex outbox,
    VroegTelemetry telemetry,
    IOptionsMonitor<QuarantineOptions> quarantineOptions,
    TimeProvider time,
    ILogger<PipelineSampler> logger)
{
    public async Task<PipelineSample> SampleAsync(CancellationToken cancellationToken)
    {
        // The heartbeat goes first and on its own: a storage failure below must not silence it, or a
        // broken storage account would look like a dead app instead of the failure it is.
        telemetry.Heartbeat.Add(1);

        var now = time.GetUtcNow();
        var queues = await probe.ReadQueuesAsync(cancellationToken);
        var (pending, oldestPending) = await CountAsync(OutboxIndexState.Pending, cancellationToken);
        var (failed, _) = await CountAsync(OutboxIndexState.Failed, cancellationToken);
        var quarantine = await probe.ReadQuarantineAsync(now - quarantineOptions.CurrentValue.AlertAfter, cancellationToken);

        var sample = new PipelineSample(now, queues, pending, Age(now, oldestPending), failed, quarantine.Signals, Age(now, quarantine.Oldest), quarantine.Overdue);
        foreach (var q in queues)
        {
            var tag = new KeyValuePair<string, object?>("queue", q.Queue);
            telemetry.QueueLength.Record(q.Length, tag);
            telemetry.QueueAge.Record(Age(now, q.Oldest).TotalSeconds, tag);
            telemetry.PoisonLength.Record(q.PoisonLength, tag);
            telemetry.PoisonAge.Record(Age(now, q.OldestPoison).TotalSeconds, tag);
        }

        telemetry.OutboxPending.Record(sample.OutboxPending);
        telemetry.OutboxPendingAge.Record(sample.OldestPendingAge.TotalSeconds);
        telemetry.OutboxFailed.Record(sample.OutboxFailed);
        telemetry.Quarantined.Record(sample.Quarantined);
        telemetry.QuarantineAge.Record(sample.OldestQuarantinedAge.TotalSeconds);
        telemetry.QuarantineOverdue.Record(sample.QuarantineOverdue);
        LogSampled(logger, pending, failed, quarantine.Signals, queues.Sum(q => q.PoisonLength));
        return sample;
    }

    private async Task<(long Count, DateTimeOffset? Oldest)> CountAsync(OutboxIndexState state, CancellationToken cancellationToken)
    {
        long count = 0;
        DateTimeOffset? oldest = null;
        await foreach (var pointer in outbox.ListAsync(state, DateTimeOffset.MaxValue, cancellationToken))
        {
            count++;
            oldest = oldest is { } o && o <= pointer.CreatedAt ? o : pointer.CreatedAt;
        }

        return (count, oldest);
    }

    // Clocks of storage and app differ a little: an item "from the future" is simply new.
    private static TimeSpan Age(DateTimeOffset now, DateTimeOffset? oldest) =>
        oldest is { } at && now > at ? now - at : TimeSpan.Zero;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pipeline sampled: {Pending} outbox rows pending, {Failed} failed, {Quarantined} signals quarantined, {Poisoned} poison messages")]
    private static partial void LogSampled(ILogger logger, long pending, long failed, long quarantined, long poisoned);
}
