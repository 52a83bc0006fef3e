using VroegSignalering.Core.Households;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outcomes;

namespace VroegSignalering.Core.Reporting;

/// <summary>
/// What a run did, computed only from what storage and the queues hold (never from counters kept by a
/// generator or a client), so the figures can be trusted and checked.
/// </summary>
public sealed record RunReport(
    DateTimeOffset GeneratedAt,
    IntakeFigures Intake,
    QuarantineFigures Quarantine,
    int SignalsStored,
    CaseFigures Cases,
    TaskFigures Tasks,
    DeliveryFigures Delivery,
    ThroughputFigures Throughput,
    LatencyFigures Latency)
{
    /// <summary>Crisis signals (crisissignaal) → their first dispatched task.</summary>
    public CrisisLatencyFigures CrisisLatency { get; init; } = CrisisLatencyFigures.None;

    /// <summary>Storage requests per accepted signal, when the report read the app's tally (<c>vroeg report --api</c>).</summary>
    public StorageRequestFigures? StorageRequests { get; init; }

    /// <summary>
    /// The quarantine by reason and by age at the time of the report. Kept out of <see cref="Quarantine"/> on purpose: an
    /// age depends on when the report ran, so scripts/check-reproducible.sh, which compares the <c>quarantine</c> section of
    /// two runs, does not compare it.
    /// </summary>
    public QuarantineAgeFigures QuarantineAge { get; init; } = QuarantineAgeFigures.None;

    /// <summary>What the teams did with the tasks (the funnel), read from the outcome and feedback rows; compared between runs.</summary>
    public OutcomeFigures Outcomes { get; init; } = OutcomeFigures.None;

    /// <summary>
    /// Overdue and escalated tasks at the time of the report. Kept out of <see cref="Outcomes"/> on purpose: whether a
    /// task is overdue depends on the day the report ran, so scripts/check-reproducible.sh does not compare it.
    /// </summary>
    public EscalationFigures Escalation { get; init; } = EscalationFigures.None;
}

/// <summary>
/// One row of the funnel: signals stored, cases, cases with a dispatched task, and of those cases how many had a
/// contact attempt, were reached, and accepted help.
/// </summary>
public sealed record FunnelRow(int Signals, int Cases, int Tasks, int Attempted, int Reached, int HelpAccepted)
{
    public static FunnelRow Zero { get; } = new(0, 0, 0, 0, 0, 0);

    public static FunnelRow operator +(FunnelRow a, FunnelRow b) => new(
        a.Signals + b.Signals, a.Cases + b.Cases, a.Tasks + b.Tasks, a.Attempted + b.Attempted, a.Reached + b.Reached, a.HelpAccepted + b.HelpAccepted);

    public static FunnelRow Sum(IEnumerable<FunnelRow> rows) => rows.Aggregate(Zero, (a, b) => a + b);
}

/// <summary>Cases worked through a channel and how many of them were reached (DOMAIN.md's "reach by channel").</summary>
public sealed record ChannelReach(int Cases, int Reached);

/// <summary>
/// The funnel per gemeente and in total, reach by channel, the teams' decisions and the creditor feedback sent. Reach
/// by channel follows the Divosa monitor's groups: <see cref="LettersOnly"/> (every attempt a letter), then per
/// contact soort the cases with at least one attempt of that soort (a case can be in more than one of those).
/// </summary>
public sealed record OutcomeFigures(
    FunnelRow Total,
    IReadOnlyDictionary<string, FunnelRow> ByGemeente,
    IReadOnlyDictionary<string, ChannelReach> ReachByChannel,
    int ContactAttempts,
    int HelpDeclined,
    IReadOnlyDictionary<string, int> ClosedByResultaat,
    int FeedbackSent,
    IReadOnlyDictionary<string, int> FeedbackSentByCreditor)
{
    public const string LettersOnly = "Alleen brief";

    /// <summary>The reach-by-channel groups a case counts in, given the soorten of its attempts.</summary>
    public static IEnumerable<string> ChannelsOf(IReadOnlySet<string> soorten) =>
        soorten.Count == 1 && soorten.Contains("Brief") ? soorten.Prepend(LettersOnly) : soorten;

    /// <summary>The groups in the report's order: letters only, then the DDAS contact soorten in their order.</summary>
    public static IReadOnlyDictionary<string, ChannelReach> InChannelOrder(IEnumerable<KeyValuePair<string, ChannelReach>> channels) =>
        channels.OrderBy(kv => kv.Key == LettersOnly ? -1 : IndexOf(kv.Key)).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private static int IndexOf(string soort)
    {
        for (var i = 0; i < OutcomeValues.Contactsoorten.Count; i++)
        {
            if (OutcomeValues.Contactsoorten[i] == soort)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    public static OutcomeFigures None { get; } = new(
        FunnelRow.Zero, new Dictionary<string, FunnelRow>(), new Dictionary<string, ChannelReach>(), 0, 0, new Dictionary<string, int>(), 0, new Dictionary<string, int>());
}

/// <summary>
/// Tasks past their due date with no contact attempt on their case (the newest revision of each open case; the
/// due date as of the report's day in the Netherlands), and tasks that carry the reason <see cref="EscalatedReason"/>.
/// </summary>
public sealed record EscalationFigures(int Overdue, IReadOnlyDictionary<string, int> OverdueByGemeente, int Escalated, IReadOnlyDictionary<string, int> EscalatedByGemeente)
{
    public const string EscalatedReason = "ESCALATED_OVERDUE";

    public static EscalationFigures None { get; } = new(0, new Dictionary<string, int>(), 0, new Dictionary<string, int>());
}

/// <summary>Quarantined signals per reason and age bucket (<see cref="Buckets"/>, in that order), read from the quarantine table.</summary>
public sealed record QuarantineAgeFigures(IReadOnlyList<string> Buckets, IReadOnlyDictionary<string, IReadOnlyList<int>> ByReason)
{
    /// <summary>Upper bounds in days of every bucket but the last (which is open).</summary>
    public static IReadOnlyList<int> BucketDays { get; } = [1, 3, 7, 30];

    public static IReadOnlyList<string> BucketNames { get; } = ["under 1 day", "1-3 days", "3-7 days", "7-30 days", "30 days or more"];

    public static QuarantineAgeFigures None { get; } = new(BucketNames, new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal));

    public static QuarantineAgeFigures Of(IEnumerable<QuarantinedSignal> quarantined, DateTimeOffset now) => new(
        BucketNames,
        quarantined.GroupBy(q => q.ReasonCode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g =>
            {
                var counts = new int[BucketNames.Count];
                foreach (var q in g)
                {
                    counts[Bucket(now - q.QuarantinedAt)]++;
                }

                return (IReadOnlyList<int>)counts;
            },
            StringComparer.Ordinal));

    public static int Bucket(TimeSpan age)
    {
        for (var i = 0; i < BucketDays.Count; i++)
        {
            if (age < TimeSpan.FromDays(BucketDays[i]))
            {
                return i;
            }
        }

        return BucketDays.Count;
    }
}

public sealed record IntakeFigures(int Requests, int Rows, int Accepted, int Rejected, int Duplicates, IReadOnlyDictionary<string, int> RejectedByCode);

public sealed record QuarantineFigures(int Total, IReadOnlyDictionary<string, int> ByReason);

public sealed record CaseFigures(
    int Total,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyDictionary<string, int> ByGemeente,
    int WithMultipleCreditors,
    int RepeatSignalsWithoutNewTask,
    int SignalsBelowMinimumAmount);

public sealed record TaskFigures(
    int Total,
    IReadOnlyDictionary<string, int> ByPriority,
    IReadOnlyDictionary<string, int> ByGemeente,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ByGemeenteAndPriority,
    IReadOnlyDictionary<string, int> ByTeam,
    int Revisions,
    int Dispatched,
    int Pending,
    int Failed);

/// <summary>
/// What the gemeenten's subscriptions (the local topic) hold: messages per gemeente, and distinct task ids per gemeente when the
/// messages were read (empty otherwise).
/// </summary>
public sealed record DeliveryFigures(IReadOnlyDictionary<string, int> MessagesByGemeente, IReadOnlyDictionary<string, int> DistinctTasksByGemeente, int PoisonMessages);

/// <summary>From the first receipt to the last dispatch.</summary>
public sealed record ThroughputFigures(DateTimeOffset? FirstReceivedAt, DateTimeOffset? LastDispatchedAt, double Seconds, double SignalsPerSecond, double TasksPerSecond);

/// <summary>Signal received → its task dispatched, in seconds.</summary>
public sealed record LatencyFigures(int Samples, double P50, double P95, double P99, double Max, IReadOnlyList<HistogramBucket> Histogram);

/// <summary>
/// Crisis signal (crisissignaal: the creditor reports an acute situation, which the crisis fast path triages at once)
/// received → the first dispatched task that carries it, in seconds. An end-of-supply date takes the fast path only
/// when it is near (Triage:EndOfSupplyLead), so those signals are not in this figure. <paramref name="Signals"/> crisis signals stored; <paramref name="Samples"/> of them reached a dispatched
/// task; <paramref name="WithoutDispatchedTask"/> did not (yet), and are counted here rather than left out silently.
/// </summary>
public sealed record CrisisLatencyFigures(int Signals, int Samples, int WithoutDispatchedTask, double P50, double P95, double P99, double Max)
{
    public static CrisisLatencyFigures None { get; } = new(0, 0, 0, 0, 0, 0, 0);
}

public sealed record HistogramBucket(double FromSeconds, double ToSeconds, int Count);

/// <summary>Everything the report reads, as the adapters found it.</summary>
public sealed record RunObservation(
    IReadOnlyList<IntakeReceipt> Receipts,
    IReadOnlyList<QuarantinedSignal> Quarantined,
    int SignalsStored,
    IReadOnlyList<HouseholdCase> Cases,
    IReadOnlyList<StoredSignal> Signals,
    IReadOnlyList<OutreachTask> Tasks,
    IReadOnlyList<OutboxEntry> Outbox,
    IReadOnlyDictionary<string, int> MessagesByGemeente,
    IReadOnlyDictionary<string, int> DistinctTasksByGemeente,
    int PoisonMessages)
{
    /// <summary>Every case outcome row (<c>u|</c>).</summary>
    public IReadOnlyList<CaseOutcome> Outcomes { get; init; } = [];

    /// <summary>Every contact attempt row (<c>p|</c>).</summary>
    public IReadOnlyList<ContactAttempt> Attempts { get; init; } = [];

    /// <summary>Feedback items (<c>f|</c>) per creditor.</summary>
    public IReadOnlyDictionary<string, int> FeedbackSentByCreditor { get; init; } = new Dictionary<string, int>();

    /// <summary>What purged records counted (retention), added to the counts of the rows still stored; timings are not kept.</summary>
    public VroegSignalering.Core.Retention.RetainedCounts? Retained { get; init; }
}

public static class RunReportBuilder
{
    public static RunReport Build(RunObservation o, DateTimeOffset now)
    {
        var responses = o.Receipts.Select(r => r.Response).ToList();
        var intake = new IntakeFigures(
            o.Receipts.Count,
            o.Receipts.Sum(r => r.Rows),
            responses.Sum(r => r.Accepted),
            responses.Sum(r => r.Rejected),
            responses.Sum(r => r.Duplicates),
            Count(responses.SelectMany(r => r.Errors.GroupBy(e => e.Row).Select(g => g.First().Code))));

        var quarantine = new QuarantineFigures(o.Quarantined.Count, Count(o.Quarantined.Select(q => q.ReasonCode)));

        var signalsById = o.Signals.ToDictionary(s => s.SignalId, StringComparer.Ordinal);
        var cases = new CaseFigures(
            o.Cases.Count,
            Count(o.Cases.Select(c => c.Status.ToString())),
            Count(o.Cases.Select(c => c.Area.Gemeentecode)),
            o.Cases.Count(c => c.SignalIds.Select(id => signalsById.TryGetValue(id, out var s) ? s.CreditorId : id).Distinct(StringComparer.Ordinal).Count() > 1),
            o.Cases.Sum(c => c.RepeatsWithoutTask),
            o.Cases.Sum(c => c.BelowMinimumAmount));

        var outboxByTask = o.Outbox.ToDictionary(x => x.TaskId, StringComparer.Ordinal);
        var tasks = new TaskFigures(
            o.Tasks.Count,
            Count(o.Tasks.Select(t => t.Priority.ToString())),
            Count(o.Tasks.Select(t => t.Area.Gemeentecode)),
            o.Tasks.GroupBy(t => t.Area.Gemeentecode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)Count(g.Select(t => t.Priority.ToString())), StringComparer.Ordinal),
            Count(o.Tasks.Select(t => t.Team)),
            o.Tasks.Count(t => t.Revision > 1),
            o.Outbox.Count(x => x.Status == OutboxStatus.Dispatched),
            o.Outbox.Count(x => x.Status == OutboxStatus.Pending),
            o.Outbox.Count(x => x.Status == OutboxStatus.Failed));

        var delivery = new DeliveryFigures(o.MessagesByGemeente, o.DistinctTasksByGemeente, o.PoisonMessages);

        var first = o.Receipts.Count > 0 ? o.Receipts.Min(r => r.ReceivedAt) : (DateTimeOffset?)null;
        var dispatched = o.Outbox.Where(x => x.DispatchedAt is not null).ToList();
        var last = dispatched.Count > 0 ? dispatched.Max(x => x.DispatchedAt) : null;
        var seconds = first is { } f && last is { } l ? Math.Max(0.001, (l - f).TotalSeconds) : 0;
        var throughput = new ThroughputFigures(first, last, Math.Round(seconds, 1),
            seconds > 0 ? Math.Round(intake.Accepted / seconds, 1) : 0,
            seconds > 0 ? Math.Round(dispatched.Count / seconds, 1) : 0);

        var latencies = dispatched.Select(x => Math.Max(0, (x.DispatchedAt!.Value - x.EarliestSignalReceivedAt).TotalSeconds)).Order().ToList();
        var latency = new LatencyFigures(
            latencies.Count,
            Percentile(latencies, 50),
            Percentile(latencies, 95),
            Percentile(latencies, 99),
            latencies.Count > 0 ? Math.Round(latencies[^1], 2) : 0,
            Histogram(latencies));

        var report = new RunReport(now, intake, quarantine, o.SignalsStored, cases, tasks, delivery, throughput, latency)
        {
            CrisisLatency = CrisisLatency(o),
            QuarantineAge = QuarantineAgeFigures.Of(o.Quarantined, now),
            Outcomes = Outcomes(o),
            Escalation = Escalation(o, DutchCalendar.LocalDate(now)),
        };
        return o.Retained is { } retained ? retained.AddTo(report) : report;
    }

    /// <summary>The funnel, reach by channel, decisions and feedback, from the stored rows only.</summary>
    public static OutcomeFigures Outcomes(RunObservation o)
    {
        var dispatchedTasks = o.Outbox.Where(x => x.Status == OutboxStatus.Dispatched).Select(x => x.TaskId).ToHashSet(StringComparer.Ordinal);
        var casesWithTask = o.Tasks.Where(t => dispatchedTasks.Contains(t.TaskId)).Select(t => t.CaseId).ToHashSet(StringComparer.Ordinal);
        var outcomes = o.Outcomes.GroupBy(u => u.CaseId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var attempted = outcomes.Values.Where(u => u.Attempts > 0).ToList();

        var gemeenten = o.Signals.Select(s => s.Area.Gemeentecode).Concat(o.Cases.Select(c => c.Area.Gemeentecode)).Concat(attempted.Select(u => u.Gemeentecode))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var byGemeente = new Dictionary<string, FunnelRow>(StringComparer.Ordinal);
        foreach (var g in gemeenten)
        {
            var mine = attempted.Where(u => u.Gemeentecode == g).ToList();
            byGemeente[g] = new FunnelRow(
                o.Signals.Count(s => s.Area.Gemeentecode == g),
                o.Cases.Count(c => c.Area.Gemeentecode == g),
                o.Cases.Count(c => c.Area.Gemeentecode == g && casesWithTask.Contains(c.CaseId)),
                mine.Count,
                mine.Count(u => u.ReachedAt is not null),
                mine.Count(u => u.HelpAccepted == true));
        }

        var total = FunnelRow.Sum(byGemeente.Values);

        // Reached as the case's outcome row says (its first reach), grouped by the soorten of the case's attempts.
        var channels = new Dictionary<string, ChannelReach>(StringComparer.Ordinal) { [OutcomeFigures.LettersOnly] = new(0, 0) };
        foreach (var attempts in o.Attempts.GroupBy(a => a.CaseId, StringComparer.Ordinal))
        {
            var reached = outcomes.TryGetValue(attempts.Key, out var u) && u.ReachedAt is not null ? 1 : 0;
            foreach (var channel in OutcomeFigures.ChannelsOf(attempts.Select(a => a.Soort).ToHashSet(StringComparer.Ordinal)))
            {
                var sofar = channels.GetValueOrDefault(channel) ?? new ChannelReach(0, 0);
                channels[channel] = new ChannelReach(sofar.Cases + 1, sofar.Reached + reached);
            }
        }

        return new OutcomeFigures(
            total,
            byGemeente,
            OutcomeFigures.InChannelOrder(channels),
            o.Attempts.Count,
            outcomes.Values.Count(u => u.HelpAccepted == false),
            Count(o.Cases.Where(c => c.Status == CaseStatus.Closed && c.Resultaat is not null).Select(c => c.Resultaat!)),
            o.FeedbackSentByCreditor.Values.Sum(),
            o.FeedbackSentByCreditor.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
    }

    /// <summary>
    /// Overdue: the newest task of each open case whose due date is before <paramref name="today"/> and whose case has
    /// no contact attempt. Escalated: tasks that carry <see cref="EscalationFigures.EscalatedReason"/>.
    /// </summary>
    public static EscalationFigures Escalation(RunObservation o, DateOnly today)
    {
        var attempted = o.Outcomes.Where(u => u.Attempts > 0).Select(u => u.CaseId).ToHashSet(StringComparer.Ordinal);
        var open = o.Cases.Where(c => c.Status != CaseStatus.Closed).Select(c => c.CaseId).ToHashSet(StringComparer.Ordinal);
        var overdue = o.Tasks.GroupBy(t => t.CaseId, StringComparer.Ordinal)
            .Select(g => g.MaxBy(t => t.Revision)!)
            .Where(t => open.Contains(t.CaseId) && !attempted.Contains(t.CaseId) && t.DueDate < today)
            .ToList();
        var escalated = o.Tasks.Where(t => t.Reasons.Any(r => r.Code == EscalationFigures.EscalatedReason)).ToList();
        return new EscalationFigures(
            overdue.Count,
            Count(overdue.Select(t => t.Area.Gemeentecode)),
            escalated.Count,
            Count(escalated.Select(t => t.Area.Gemeentecode)));
    }

    /// <summary>For each crisis signal, the time from its receipt to the dispatch of the first dispatched task whose signals include it.</summary>
    public static CrisisLatencyFigures CrisisLatency(RunObservation o)
    {
        var dispatchedAt = o.Outbox.Where(x => x.Status == OutboxStatus.Dispatched && x.DispatchedAt is not null)
            .GroupBy(x => x.TaskId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(x => x.DispatchedAt!.Value), StringComparer.Ordinal);
        var firstDispatch = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var task in o.Tasks)
        {
            if (!dispatchedAt.TryGetValue(task.TaskId, out var at))
            {
                continue;
            }

            foreach (var id in task.SignalIds)
            {
                if (!firstDispatch.TryGetValue(id, out var earlier) || at < earlier)
                {
                    firstDispatch[id] = at;
                }
            }
        }

        var urgent = o.Signals.Where(s => s.Crisissignaal).ToList();
        var latencies = urgent.Where(s => firstDispatch.ContainsKey(s.SignalId))
            .Select(s => Math.Max(0, (firstDispatch[s.SignalId] - s.ReceivedAt).TotalSeconds))
            .Order()
            .ToList();
        return new CrisisLatencyFigures(
            urgent.Count,
            latencies.Count,
            urgent.Count - latencies.Count,
            Percentile(latencies, 50),
            Percentile(latencies, 95),
            Percentile(latencies, 99),
            latencies.Count > 0 ? Math.Round(latencies[^1], 2) : 0);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, int percentile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)], 2);
    }

    private static IReadOnlyList<HistogramBucket> Histogram(IReadOnlyList<double> sorted)
    {
        if (sorted.Count == 0)
        {
            return [];
        }

        const int buckets = 12;
        var max = Math.Max(1, Math.Ceiling(sorted[^1]));
        var width = Math.Max(1, Math.Ceiling(max / buckets));
        var counts = new int[buckets];
        foreach (var v in sorted)
        {
            counts[Math.Min(buckets - 1, (int)(v / width))]++;
        }

        return Enumerable.Range(0, buckets).Select(i => new HistogramBucket(i * width, (i + 1) * width, counts[i])).ToList();
    }

    private static IReadOnlyDictionary<string, int> Count(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
