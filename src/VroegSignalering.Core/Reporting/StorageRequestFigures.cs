using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Reporting;

/// <summary>
/// Storage requests per accepted signal: the app's tally (its operator endpoint) plus the report's own reads,
/// by stage, service, operation and target. Stages in <see cref="ObserverStages"/> (the report waiting for the
/// pipeline to settle) are shown but left out of the totals: how often the report polls is not the pipeline's cost.
/// The local topic (target <see cref="LocalTopicTarget"/>) stands in for Service Bus, so it is shown on its own
/// and the total is given with and without it. These counts differ from run to run (retries, polling, timers):
/// they are no part of the counts the reproducibility check compares.
/// </summary>
public sealed record StorageRequestFigures(
    DateTimeOffset? InstanceStartedAt,
    int AcceptedSignals,
    IReadOnlyList<StorageRequestRow> Rows,
    IReadOnlyList<StorageStageTotal> Stages,
    long Total,
    double PerSignal,
    long LocalTopic,
    double LocalTopicPerSignal,
    long TotalWithoutLocalTopic,
    double PerSignalWithoutLocalTopic,
    long ExcludedFromTotal)
{
    /// <summary>The stage of the report's polling while <c>vroeg report --wait</c> waits.</summary>
    public const string ReportWaitStage = "report-wait";

    /// <summary>The table family of the local topic, the stand-in for the Service Bus topic.</summary>
    public const string LocalTopicTarget = "outreachtopic";

    public static IReadOnlyList<string> ObserverStages { get; } = [ReportWaitStage];

    /// <summary>
    /// Stages shown but not in the total: the observer's polling, and the teams' outcome requests (work after the
    /// pipeline, <see cref="WorkStage.Outcomes"/>), which are not what a signal costs.
    /// </summary>
    public static IReadOnlyList<string> ExcludedStages { get; } = [ReportWaitStage, WorkStage.Outcomes];

    /// <summary>
    /// The figures of <paramref name="counts"/> (rows of the same stage, service, operation and target are
    /// added up, so the app's tally and the report's own can be given together) for <paramref name="acceptedSignals"/>.
    /// </summary>
    public static StorageRequestFigures Build(IEnumerable<StorageRequestCount> counts, int acceptedSignals, DateTimeOffset? instanceStartedAt)
    {
        double Per(long n) => acceptedSignals > 0 ? Math.Round(n / (double)acceptedSignals, 3) : 0;
        bool Counted(string stage) => !ExcludedStages.Contains(stage, StringComparer.Ordinal);

        var rows = counts
            .GroupBy(c => (c.Stage, c.Service, c.Operation, c.Target))
            .Select(g => (g.Key, Count: g.Sum(c => c.Count)))
            .OrderBy(r => StageOrder(r.Key.Stage))
            .ThenBy(r => r.Key.Stage, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Service, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Operation, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Target, StringComparer.Ordinal)
            .Select(r => new StorageRequestRow(r.Key.Stage, r.Key.Service, r.Key.Operation, r.Key.Target, r.Count, Per(r.Count), Counted(r.Key.Stage)))
            .ToList();

        // Every pipeline stage is listed, a stage without requests as 0, so a missing stage is visible.
        var stages = WorkStage.All.Concat(rows.Select(r => r.Stage)).Distinct(StringComparer.Ordinal)
            .OrderBy(StageOrder)
            .Select(stage =>
            {
                var n = rows.Where(r => r.Stage == stage).Sum(r => r.Count);
                return new StorageStageTotal(stage, n, Per(n), Counted(stage));
            })
            .ToList();

        var total = rows.Where(r => r.InTotal).Sum(r => r.Count);
        var topic = rows.Where(r => r.InTotal && r.Target == LocalTopicTarget).Sum(r => r.Count);
        return new StorageRequestFigures(
            instanceStartedAt,
            acceptedSignals,
            rows,
            stages,
            total,
            Per(total),
            topic,
            Per(topic),
            total - topic,
            Per(total - topic),
            rows.Where(r => !r.InTotal).Sum(r => r.Count));
    }

    // Pipeline order; stages the report does not know next; the teams' outcomes, then the observer's own, last.
    private static int StageOrder(string stage) =>
        ObserverStages.Contains(stage, StringComparer.Ordinal) ? int.MaxValue
        : stage == WorkStage.Outcomes ? int.MaxValue - 1
        : WorkStage.All.ToList().IndexOf(stage) is var i and >= 0 ? i : WorkStage.All.Count;
}

/// <summary>One stage, service, operation and target: its requests and requests per accepted signal; <paramref name="InTotal"/> false for the observer's polling.</summary>
public sealed record StorageRequestRow(string Stage, string Service, string Operation, string Target, long Count, double PerSignal, bool InTotal);

/// <summary>A stage's requests and requests per accepted signal.</summary>
public sealed record StorageStageTotal(string Stage, long Count, double PerSignal, bool InTotal);
