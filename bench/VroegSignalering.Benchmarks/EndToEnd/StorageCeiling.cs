using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;

namespace VroegSignalering.Benchmarks.EndToEnd;

/// <summary>One way of writing the entities and how fast it went: the median of its repeats, and their range.</summary>
internal sealed record CeilingRun(string Name, int Concurrency, int Entities, int Requests, IReadOnlyList<TimeSpan> Repeats, bool Realistic)
{
    public TimeSpan Elapsed => Repeats.Order().ElementAt(Repeats.Count / 2);

    public double PerSecond => Entities / Elapsed.TotalSeconds;

    public double SlowestPerSecond => Entities / Repeats.Max().TotalSeconds;

    public double FastestPerSecond => Entities / Repeats.Min().TotalSeconds;
}

/// <summary>
/// The raw insert rate of the same storage for the same entities, with none of the app's work around it.
/// The entities are the signal rows the app itself just stored (same properties, same sizes, same
/// PartitionKey = household key), copied into fresh tables:
/// - single inserts in parallel: what the app does per signal (SignalProcessor → AddSignalAsync);
/// - entity-group transactions per household partition (up to 100 entities each): batching as far as
///   household partitions allow, which is little, because most households hold one signal;
/// - entity-group transactions of 100 into dense partitions: the best case Table Storage offers, which
///   household partitioning cannot reach; shown for scale, not counted in the ceiling.
/// </summary>
internal static class StorageCeiling
{
    private const int MaxTransaction = 100;

    public static async Task<IReadOnlyList<CeilingRun>> MeasureAsync(
        TableServiceClient tables, string tablePrefix, IReadOnlyList<TableEntity> signals, IReadOnlyList<int> concurrencies, int repeats,
        TextWriter progress, CancellationToken cancellationToken)
    {
        var n = 0;
        async Task<TableClient> FreshTableAsync()
        {
            var table = tables.GetTableClient(string.Create(CultureInfo.InvariantCulture, $"{tablePrefix}ceiling{++n}"));
            await table.CreateIfNotExistsAsync(cancellationToken);
            return table;
        }

        // Each repeat writes into a table of its own (inserts never overwrite), created before the clock starts.
        async Task<CeilingRun> MeasureAsync(string name, int concurrency, bool realistic, bool dense, bool transactions)
        {
            var times = new List<TimeSpan>();
            var requests = 0;
            for (var r = 0; r < repeats; r++)
            {
                var table = await FreshTableAsync();
                var entities = Copies(signals, dense);
                var batches = transactions ? Batches(entities) : [];
                requests = transactions ? batches.Count : entities.Count;
                var started = Stopwatch.GetTimestamp();
                if (transactions)
                {
                    await SubmitAsync(table, batches, concurrency, cancellationToken);
                }
                else
                {
                    await InsertSinglesAsync(table, entities, concurrency, cancellationToken);
                }

                times.Add(Stopwatch.GetElapsedTime(started));
            }

            var run = new CeilingRun(name, concurrency, signals.Count, requests, times, realistic);
            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"e2e: ceiling: {run.Name} ×{run.Concurrency}: {run.Entities:N0} entities in {run.Requests:N0} requests, median {run.Elapsed.TotalSeconds:0.00} s, {run.PerSecond:N0}/s (range {run.SlowestPerSecond:N0}–{run.FastestPerSecond:N0})"));
            return run;
        }

        // Warm the connection pool and Azurite's code paths before anything is timed.
        var warmUp = await FreshTableAsync();
        await InsertSinglesAsync(warmUp, Copies(signals.Take(200), dense: false), 16, cancellationToken);
        await SubmitAsync(warmUp, Batches(Copies(signals.Skip(200).Take(200), dense: true)), 2, cancellationToken);

        var runs = new List<CeilingRun>();
        foreach (var concurrency in concurrencies)
        {
            runs.Add(await MeasureAsync("single inserts, parallel", concurrency, realistic: true, dense: false, transactions: false));
        }

        foreach (var concurrency in concurrencies)
        {
            runs.Add(await MeasureAsync("transactions per household partition", concurrency, realistic: true, dense: false, transactions: true));
        }

        runs.Add(await MeasureAsync("transactions of 100, dense partitions", concurrencies.Min(), realistic: false, dense: true, transactions: true));
        return runs;
    }

    /// <summary>Fresh entities with the stored ones' keys and properties (without the service's ETag and Timestamp).</summary>
    private static List<TableEntity> Copies(IEnumerable<TableEntity> signals, bool dense) => signals.Select((s, i) =>
    {
        // Dense: 100 consecutive entities share a partition, the layout that lets every transaction be full.
        var partition = dense ? string.Create(CultureInfo.InvariantCulture, $"p{i / MaxTransaction:D5}") : s.PartitionKey;
        var copy = new TableEntity(partition, s.RowKey);
        foreach (var (key, value) in s)
        {
            if (key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                copy[key] = value;
            }
        }

        return copy;
    }).ToList();

    private static List<List<TableTransactionAction>> Batches(IEnumerable<TableEntity> entities) =>
        entities.GroupBy(e => e.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(MaxTransaction))
            .Select(chunk => chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)).ToList())
            .ToList();

    private static Task InsertSinglesAsync(TableClient table, IReadOnlyList<TableEntity> entities, int concurrency, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(entities, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (entity, ct) => await table.AddEntityAsync(entity, ct));

    private static Task SubmitAsync(TableClient table, IReadOnlyList<List<TableTransactionAction>> batches, int concurrency, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (batch, ct) => await table.SubmitTransactionAsync(batch, ct));
}
