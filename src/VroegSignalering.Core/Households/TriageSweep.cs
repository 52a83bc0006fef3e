using System.Collections.Concurrent;
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
/// TriageCases: triages every household marked changed since it was last acknowledged. A signal arriving during
/// triage writes a new mark, which this run did not read and leaves, so it is never missed; a household
/// still settling keeps its mark for the next run. While the intake queue still holds a backlog
/// (younger than Triage:IntakeBacklogWait) the run waits, so a batch is triaged as a whole.
/// <para>
/// Triaged households are handed on in batches: the batch's outbox pointers are written to the index (a few
/// transactions), announced to the dispatcher, and only then are the marks acknowledged whose households have all been
/// handed on (a mark lists a chunk's households; a few transactions). A crash anywhere before the acknowledgement leaves
/// the marks, and the next run triages those households again and hands on their still-pending rows; nothing committed
/// is left without a pointer.
/// </para>
/// </summary>
public sealed partial class TriageSweep(IHouseholdChangeFeed changes, HouseholdTriage triage, IIntakeBacklog backlog, IDispatchQueue dispatch, IOutboxIndex index, IOptionsMonitor<TriageOptions> options, ILogger<TriageSweep> logger)
{
    private const int Parallelism = 8;

    /// <summary>Households handed on together (their pointers, announcement and acknowledgements).</summary>
    public const int HandOnBatch = 100;

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

        // A household can hold marks from several chunks, and a mark lists a chunk's households: each household is
        // triaged once, and a mark is acknowledged once every household it lists has been handed on.
        var marked = new Dictionary<string, List<HouseholdChange>>(StringComparer.Ordinal);
        var open = new ConcurrentDictionary<(string? Location, string? Mark), int>();
        await foreach (var change in changes.ReadAsync(cancellationToken))
        {
            if (!marked.TryGetValue(change.HouseholdKey, out var marks))
            {
                marked[change.HouseholdKey] = marks = [];
            }

            marks.Add(change);
            open.AddOrUpdate(MarkOf(change), 1, (_, n) => n + 1);
        }

        var handOn = new HandOn(marked, open);
        var households = 0;
        var opened = 0;
        var tasks = 0;
        var repeats = 0;
        var waiting = 0;
        await Parallel.ForEachAsync(
            marked,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (household, ct) =>
            {
                var outcome = await triage.TriageAsync(household.Key, urgentSignals: null, ct);
                Interlocked.Increment(ref households);
                Interlocked.Add(ref opened, outcome.CasesOpened);
                Interlocked.Add(ref tasks, outcome.TasksCreated);
                Interlocked.Add(ref repeats, outcome.RepeatsWithoutTask);
                if (outcome.Waiting)
                {
                    Interlocked.Increment(ref waiting);
                }

                handOn.Triaged.Enqueue((household.Key, outcome));

                // Hand on as soon as a batch is full, so dispatch starts while triage goes on.
                await HandOnAsync(handOn, full: true, ct);
            });

        await HandOnAsync(handOn, full: false, cancellationToken);

        // Marks that list a household still settling: the others they list are acknowledged; the mark stays for those.
        var rest = handOn.Done.Where(d => open.TryGetValue(MarkOf(d), out var left) && left > 0).ToList();
        if (rest.Count > 0)
        {
            await changes.AcknowledgeManyAsync(rest, cancellationToken);
        }

        var summary = new TriageSweepSummary(households, opened, tasks, repeats, waiting);
        if (households > 0)
        {
            LogSweep(logger, households, opened, tasks, repeats, waiting);
        }

        return summary;
    }

    private static (string? Location, string? Mark) MarkOf(HouseholdChange change) => (change.Location, change.Mark ?? change.HouseholdKey);

    // Pointers first, then the announcement, then the acknowledgement of the marks whose households have all been handed
    // on: each step only after the one before is durable.
    private async Task HandOnAsync(HandOn handOn, bool full, CancellationToken cancellationToken)
    {
        while (handOn.Triaged.Count >= (full ? HandOnBatch : 1))
        {
            var batch = new List<(string Household, TriageOutcome Outcome)>(HandOnBatch);
            while (batch.Count < HandOnBatch && handOn.Triaged.TryDequeue(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                return;
            }

            var pointers = batch.SelectMany(b => b.Outcome.Committed).ToList();
            if (pointers.Count > 0)
            {
                await index.AddManyAsync(pointers, OutboxIndexState.Pending, cancellationToken);
                await dispatch.EnqueueAsync(pointers, cancellationToken);
            }

            // A household still settling keeps its marks, so a mark that lists it is not complete in this run.
            var complete = new List<HouseholdChange>();
            foreach (var (household, _) in batch.Where(b => !b.Outcome.Waiting))
            {
                foreach (var mark in handOn.Marked[household])
                {
                    handOn.Done.Add(mark);
                    if (handOn.Open.AddOrUpdate(MarkOf(mark), 0, (_, n) => n - 1) == 0)
                    {
                        complete.Add(mark);
                    }
                }
            }

            if (complete.Count > 0)
            {
                // Everything each of these marks lists has been handed on: the whole mark goes.
                var whole = complete.Select(MarkOf).ToHashSet();
                await changes.AcknowledgeManyAsync(handOn.Done.Where(d => whole.Contains(MarkOf(d))).ToList(), cancellationToken);
            }
        }
    }

    /// <summary>What one run hands on: triaged households waiting for their batch, and how many households each mark still waits for.</summary>
    private sealed class HandOn(Dictionary<string, List<HouseholdChange>> marked, ConcurrentDictionary<(string? Location, string? Mark), int> open)
    {
        public ConcurrentQueue<(string Household, TriageOutcome Outcome)> Triaged { get; } = new();

        public Dictionary<string, List<HouseholdChange>> Marked => marked;

        public ConcurrentDictionary<(string? Location, string? Mark), int> Open => open;

        public ConcurrentBag<HouseholdChange> Done { get; } = [];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TriageCases waits: the intake queue holds {Messages} messages, the oldest {AgeSeconds:F0} s old")]
    private static partial void LogBacklog(ILogger logger, long messages, double ageSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "TriageCases: {Households} households, {CasesOpened} cases opened, {TasksCreated} tasks, {Repeats} repeats without task, {Waiting} still settling")]
    private static partial void LogSweep(ILogger logger, int households, int casesOpened, int tasksCreated, int repeats, int waiting);
}
