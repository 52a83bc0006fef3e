using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Households;

/// <summary>What one TriageCases run did.</summary>
public sealed record TriageSweepSummary(int Households, int CasesOpened, int TasksCreated, int RepeatsWithoutTask, int Waiting)
{
    /// <summary>The run left every household for later because intake still had a backlog.</summary>
    public bool WaitingForIntake { get; init; }
}

/// <summary>
/// TriageCases: triages every household marked changed since it was last acknowledged. A mark is removed
/// only if it did not change meanwhile, so a signal arriving during triage is never missed; a household
/// still settling keeps its mark for the next run. While the intake queue still holds a backlog
/// (younger than Triage:IntakeBacklogWait) the run waits, so a batch is triaged as a whole.
/// </summary>
public sealed partial class TriageSweep(IHouseholdChangeFeed changes, HouseholdTriage triage, IIntakeBacklog backlog, IDispatchQueue dispatch, IOptionsMonitor<TriageOptions> options, ILogger<TriageSweep> logger)
{
    private const int Parallelism = 8;

    public async Task<TriageSweepSummary> RunAsync(CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Triage);
        var wait = options.CurrentValue.IntakeBacklogWait;
        if (wait > TimeSpan.Zero)
        {
            var queued = await backlog.MeasureAsync(cancellationToken);
            if (queued.Messages > 0 && queued.OldestAge < wait)
            {
                LogBacklog(logger, queued.Messages, queued.OldestAge.TotalSeconds);
                return new TriageSweepSummary(0, 0, 0, 0, 0) { WaitingForIntake = true };
            }
        }

        var households = 0;
        var opened = 0;
        var announce = new System.Collections.Concurrent.ConcurrentQueue<OutboxPointer>();
        var tasks = 0;
        var repeats = 0;
        var waiting = 0;
        await Parallel.ForEachAsync(
            changes.ReadAsync(cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (change, ct) =>
            {
                var outcome = await triage.TriageAsync(change.HouseholdKey, urgentOnly: false, ct);
                foreach (var pointer in outcome.Committed)
                {
                    announce.Enqueue(pointer);
                }

                // Announce committed tasks as soon as a batch is full, so dispatch starts while triage goes on.
                await FlushAsync(announce, full: true, ct);
                Interlocked.Increment(ref households);
                Interlocked.Add(ref opened, outcome.CasesOpened);
                Interlocked.Add(ref tasks, outcome.TasksCreated);
                Interlocked.Add(ref repeats, outcome.RepeatsWithoutTask);
                if (outcome.Waiting)
                {
                    Interlocked.Increment(ref waiting);
                    return;
                }

                await changes.AcknowledgeAsync(change, ct);
            });

        await FlushAsync(announce, full: false, cancellationToken);
        var summary = new TriageSweepSummary(households, opened, tasks, repeats, waiting);
        if (households > 0)
        {
            LogSweep(logger, households, opened, tasks, repeats, waiting);
        }

        return summary;
    }

    private async Task FlushAsync(System.Collections.Concurrent.ConcurrentQueue<OutboxPointer> announce, bool full, CancellationToken cancellationToken)
    {
        while (announce.Count >= (full ? IDispatchQueue.MaxPointersPerMessage : 1))
        {
            var batch = new List<OutboxPointer>(IDispatchQueue.MaxPointersPerMessage);
            while (batch.Count < IDispatchQueue.MaxPointersPerMessage && announce.TryDequeue(out var pointer))
            {
                batch.Add(pointer);
            }

            if (batch.Count == 0)
            {
                return;
            }

            await dispatch.EnqueueAsync(batch, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TriageCases waits: the intake queue holds {Messages} messages, the oldest {AgeSeconds:F0} s old")]
    private static partial void LogBacklog(ILogger logger, long messages, double ageSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "TriageCases: {Households} households, {CasesOpened} cases opened, {TasksCreated} tasks, {Repeats} repeats without task, {Waiting} still settling")]
    private static partial void LogSweep(ILogger logger, int households, int casesOpened, int tasksCreated, int repeats, int waiting);
}
