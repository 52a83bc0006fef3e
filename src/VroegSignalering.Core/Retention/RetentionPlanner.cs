using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;

namespace VroegSignalering.Core.Retention;

/// <summary>Everything one household partition holds, as the purge reads it.</summary>
public sealed record HouseholdRows(
    string HouseholdKey,
    bool HasHead,
    IReadOnlyList<StoredSignal> Signals,
    IReadOnlyList<HouseholdCase> Cases,
    IReadOnlyList<OutreachTask> Tasks,
    IReadOnlyList<OutboxEntry> Outbox,
    IReadOnlyList<ContactAttempt> Attempts,
    IReadOnlyList<CaseOutcome> Outcomes);

/// <summary>One record that is due, for the dry run's listing: its kind and how long ago its term started.</summary>
public sealed record DueRecord(RetentionKind Kind, TimeSpan Age);

/// <summary>
/// What to do in one household partition: the ids of the rows to delete, the outbox messages to drop, whether the
/// partition is then empty (so its head goes too), and what the deleted rows counted (<see cref="RetainedCounts"/>).
/// </summary>
public sealed record HouseholdPurge(
    IReadOnlyList<string> SignalIds,
    IReadOnlyList<string> CaseIds,
    IReadOnlyList<string> TaskIds,
    IReadOnlyList<(string CaseId, string AttemptId)> Attempts,
    IReadOnlyList<string> OutboxMessages,
    bool DeleteHead,
    IReadOnlyList<DueRecord> Due,
    RetainedCounts Counts)
{
    public bool IsEmpty => Due.Count == 0;
}

/// <summary>
/// The retention rules, pure: which records are due at a moment under the terms of their gemeente. Open cases are
/// never due: a case's term starts when it closes. A case's signals, tasks, outbox rows and outcome go with it; a signal
/// that is in no case has its own term; contact attempts may go before their case (a shorter term); a dispatched outbox
/// row loses its encrypted message after its own term and keeps its non-personal status.
/// </summary>
public static class RetentionPlanner
{
    public static HouseholdPurge PlanHousehold(HouseholdRows rows, RetentionOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var due = new List<DueRecord>();
        var counts = new RetainedCounts();
        var signalIds = new List<string>();
        var caseIds = new List<string>();
        var taskIds = new List<string>();
        var attempts = new List<(string, string)>();
        var messages = new List<string>();
        var outcomes = rows.Outcomes.ToDictionary(o => o.CaseId, StringComparer.Ordinal);
        var inCase = rows.Cases.SelectMany(c => c.SignalIds).ToHashSet(StringComparer.Ordinal);

        foreach (var c in rows.Cases)
        {
            var g = c.Area.Gemeentecode;
            var caseAttempts = rows.Attempts.Where(a => a.CaseId == c.CaseId).ToList();
            if (c.Status != CaseStatus.Closed || c.ClosedAt is not { } closedAt)
            {
                continue;
            }

            var helped = outcomes.TryGetValue(c.CaseId, out var outcome) && outcome.HelpAccepted == true;
            var kind = helped ? RetentionKind.ClosedCaseWithHelp : RetentionKind.ClosedCaseWithoutHelp;
            if (options.Due(kind, g, closedAt, now))
            {
                var ids = c.SignalIds.ToHashSet(StringComparer.Ordinal);
                var signals = rows.Signals.Where(s => ids.Contains(s.SignalId)).ToList();
                var tasks = rows.Tasks.Where(t => t.CaseId == c.CaseId).ToList();
                var taskSet = tasks.Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);
                var outbox = rows.Outbox.Where(o => taskSet.Contains(o.TaskId) || o.CaseId == c.CaseId).ToList();
                counts.AddCase(c, signals, tasks, outbox, caseAttempts, outcome);
                due.Add(new DueRecord(kind, now - closedAt));
                caseIds.Add(c.CaseId);
                signalIds.AddRange(signals.Select(s => s.SignalId));
                taskIds.AddRange(tasks.Select(t => t.TaskId).Union(outbox.Select(o => o.TaskId), StringComparer.Ordinal));
                attempts.AddRange(caseAttempts.Select(a => (a.CaseId, a.Id)));
                continue;
            }

            if (caseAttempts.Count > 0 && options.Due(RetentionKind.ContactAttempt, g, closedAt, now))
            {
                counts.AddAttempts(g, caseAttempts);
                due.AddRange(caseAttempts.Select(_ => new DueRecord(RetentionKind.ContactAttempt, now - closedAt)));
                attempts.AddRange(caseAttempts.Select(a => (a.CaseId, a.Id)));
            }
        }

        foreach (var s in rows.Signals.Where(s => !inCase.Contains(s.SignalId)))
        {
            if (options.Due(RetentionKind.SignalWithoutCase, s.Area.Gemeentecode, s.ReceivedAt, now))
            {
                counts.AddSignal(s);
                due.Add(new DueRecord(RetentionKind.SignalWithoutCase, now - s.ReceivedAt));
                signalIds.Add(s.SignalId);
            }
        }

        var gone = taskIds.ToHashSet(StringComparer.Ordinal);
        foreach (var o in rows.Outbox.Where(o => !gone.Contains(o.TaskId)))
        {
            if (o.Status == OutboxStatus.Dispatched && o.DispatchedAt is { } at && o.Message.Data is { Length: > 0 }
                && options.Due(RetentionKind.OutboxMessage, o.Gemeentecode, at, now))
            {
                due.Add(new DueRecord(RetentionKind.OutboxMessage, now - at));
                messages.Add(o.TaskId);
            }
        }

        // The head (case sequence, latest case id) holds nothing personal, but its key is the household's pseudonym:
        // it goes once nothing else is left.
        var left = rows.Signals.Count - signalIds.Count + rows.Cases.Count - caseIds.Count
            + rows.Tasks.Count(t => !gone.Contains(t.TaskId)) + rows.Outbox.Count(o => !gone.Contains(o.TaskId))
            + rows.Attempts.Count - attempts.Count + rows.Outcomes.Count(o => !caseIds.Contains(o.CaseId));
        var deleteHead = rows.HasHead && left == 0 && caseIds.Count > 0;
        return new HouseholdPurge(signalIds, caseIds, taskIds, attempts, messages, deleteHead, due, counts);
    }

    /// <summary>Age buckets of the dry run, by how long ago a record's term started.</summary>
    public static IReadOnlyList<string> AgeBuckets { get; } = ["under 3 months", "3-6 months", "6-12 months", "1-2 years", "2 years or more"];

    public static string AgeBucket(TimeSpan age) => age.TotalDays switch
    {
        < 91 => AgeBuckets[0],
        < 183 => AgeBuckets[1],
        < 365 => AgeBuckets[2],
        < 730 => AgeBuckets[3],
        _ => AgeBuckets[4],
    };
}

/// <summary>What a retention run found (and, unless a dry run, deleted): per kind, per age bucket; counts only.</summary>
public sealed class RetentionSummary
{
    private readonly SortedDictionary<string, SortedDictionary<string, int>> _byKind = new(StringComparer.Ordinal);

    public bool DryRun { get; init; }

    public DateTimeOffset At { get; init; }

    public IReadOnlyDictionary<string, SortedDictionary<string, int>> ByKind => _byKind;

    public int Total => _byKind.Values.Sum(b => b.Values.Sum());

    /// <summary>Households whose purge was resumed after an earlier run stopped half way.</summary>
    public int Resumed { get; set; }

    public void Add(DueRecord record)
    {
        var kind = record.Kind.ToString();
        if (!_byKind.TryGetValue(kind, out var buckets))
        {
            _byKind[kind] = buckets = new(StringComparer.Ordinal);
        }

        var bucket = RetentionPlanner.AgeBucket(record.Age);
        buckets[bucket] = buckets.GetValueOrDefault(bucket) + 1;
    }
}
