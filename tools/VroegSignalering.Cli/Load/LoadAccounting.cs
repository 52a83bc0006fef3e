using System.Globalization;

namespace VroegSignalering.Cli.Load;

internal static class Percentiles
{
    /// <summary>
    /// The nearest-rank percentile: the smallest value with at least <paramref name="percent"/>% of the values at
    /// or below it, so it is always a latency that was measured. Null for no values.
    /// </summary>
    public static double? Of(IReadOnlyList<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return null;
        }

        if (percent is <= 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "a percentile lies in (0, 100]");
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}

internal sealed record LatencyFigures(int Samples, double? P50, double? P95, double? P99, double? Max)
{
    public static LatencyFigures Of(IEnumerable<LoadResult> results)
    {
        var values = results.Where(r => r.Status != 0).Select(r => r.LatencyMs).ToList();
        return new LatencyFigures(values.Count, Percentiles.Of(values, 50), Percentiles.Of(values, 95), Percentiles.Of(values, 99), values.Count == 0 ? null : values.Max());
    }
}

/// <summary>Where the rows of a set of requests went, by the answers' own counts.</summary>
internal sealed record RowFigures(long Sent, long Accepted, long Rejected, long Duplicate, long RefusedWhole, long Unaccounted)
{
    public static RowFigures operator +(RowFigures a, RowFigures b) =>
        new(a.Sent + b.Sent, a.Accepted + b.Accepted, a.Rejected + b.Rejected, a.Duplicate + b.Duplicate, a.RefusedWhole + b.RefusedWhole, a.Unaccounted + b.Unaccounted);

    public static readonly RowFigures Zero = new(0, 0, 0, 0, 0, 0);

    /// <summary>
    /// One answer's rows. A 2xx must count every row as accepted, rejected or duplicate; a 400/409 that names
    /// rows rejects them all; an answer to the request as a whole (413, 415, 429, a 400 without row counts)
    /// refuses every row; no answer or a 5xx leaves the rows unaccounted for: nobody can say where they went.
    /// </summary>
    public static RowFigures Of(LoadResult r)
    {
        var accepted = r.Accepted ?? 0;
        var rejected = r.Rejected ?? 0;
        var duplicate = r.Duplicates ?? 0;
        var counted = accepted + rejected + duplicate;
        if (r.Status is 0 or >= 500)
        {
            return new RowFigures(r.Rows, 0, 0, 0, 0, r.Rows);
        }

        if (r.Status is >= 200 and < 300 || (r.Status is 400 or 409 && counted > 0))
        {
            // A body whose counts do not add up to the rows sent lost (or invented) rows.
            return new RowFigures(r.Rows, accepted, rejected, duplicate, 0, Math.Abs(r.Rows - counted));
        }

        return new RowFigures(r.Rows, 0, 0, 0, r.Rows, 0);
    }
}

internal sealed record KindFigures(string Kind, int Requests, IReadOnlyDictionary<string, int> Answers, RowFigures Rows, LatencyFigures Latency);

/// <summary>What storage holds for the run's receipts once the intake queue has drained.</summary>
internal sealed record StorageFigures(long Stored, long Quarantined, long Distinct, long Expected)
{
    public bool Matches => Stored + Quarantined == Expected && Distinct == Stored + Quarantined;
}

internal sealed record MemoryFigures(int Pid, long PeakBytes, string Source);

internal sealed record LoadSummary(
    IReadOnlyList<KindFigures> ByKind,
    KindFigures Total,
    int ServerErrors,
    int NoAnswer,
    int Throttled,
    IReadOnlyDictionary<string, long> RefusedWholeByStatus,
    StorageFigures? Storage,
    MemoryFigures? Memory)
{
    public IReadOnlyList<string> Failures
    {
        get
        {
            var failures = new List<string>();
            if (ServerErrors > 0)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{ServerErrors} answer(s) of 5xx"));
            }

            if (NoAnswer > 0)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{NoAnswer} request(s) without an answer"));
            }

            if (Total.Rows.Unaccounted > 0)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Total.Rows.Unaccounted} row(s) unaccounted for in the answers"));
            }

            if (Storage is { Matches: false } s)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"storage holds {s.Stored} stored + {s.Quarantined} quarantined ({s.Distinct} distinct) for {s.Expected} accepted row(s)"));
            }

            return failures;
        }
    }

    public static LoadSummary Build(IReadOnlyList<LoadResult> results, StorageFigures? storage, MemoryFigures? memory)
    {
        var byKind = Enum.GetValues<LoadKind>()
            .Select(k => Figures(k.ToString(), results.Where(r => r.Kind == k).ToList()))
            .Where(f => f.Requests > 0)
            .ToList();
        var refused = results.Where(r => RowFigures.Of(r).RefusedWhole > 0)
            .GroupBy(r => r.Status.ToString(CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(r => (long)r.Rows), StringComparer.Ordinal);
        return new LoadSummary(
            byKind,
            Figures("total", results),
            results.Count(r => r.Status >= 500),
            results.Count(r => r.Status == 0),
            results.Count(r => r.Status == 429),
            refused,
            storage,
            memory);
    }

    private static KindFigures Figures(string kind, IReadOnlyList<LoadResult> results) => new(
        kind,
        results.Count,
        results.GroupBy(r => r.Status == 0 ? "none" : r.Status.ToString(CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
        results.Aggregate(RowFigures.Zero, (sum, r) => sum + RowFigures.Of(r)),
        LatencyFigures.Of(results));
}
