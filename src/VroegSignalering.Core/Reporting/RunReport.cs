using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;

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
        };
        return o.Retained is { } retained ? retained.AddTo(report) : report;
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
