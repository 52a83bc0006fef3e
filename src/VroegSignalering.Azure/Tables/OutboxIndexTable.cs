using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// Pointers to outbox rows by state. A pointer's partition is its state and the minute it was created
/// (<c>pending-&lt;ticks of the minute&gt;</c>), so the pointers one triage batch writes, and the ones one dispatch
/// message removes, share a partition or two and go in one transaction each. Row keys are ordered by creation
/// time so the sweeper reads only rows older than its cutoff. Pointers written before this layout (partitions
/// <c>pending-0</c> … <c>pending-f</c>) are still listed; listing writes nothing, and this instance remembers where
/// such a pointer lies so that removing it (after the sweeper listed it) deletes it there.
/// </summary>
public sealed class OutboxIndexTable(TableSet tables) : IOutboxIndex
{
    private const int MaxPerTransaction = 100;
    private static readonly long BucketTicks = TimeSpan.TicksPerMinute;

    // Pointers of the earlier layout this instance listed: (state partition prefix + row key) → their partition.
    private readonly ConcurrentDictionary<string, string> _legacy = new(StringComparer.Ordinal);

    public async Task AddAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.OutboxIndex, cancellationToken);
        await table.UpsertEntityAsync(Entity(pointer, state), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task AddManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.OutboxIndex, cancellationToken);
        foreach (var group in pointers.DistinctBy(p => (p.HouseholdKey, p.TaskId, p.CreatedAt)).GroupBy(p => Partition(state, p)))
        {
            foreach (var chunk in group.Chunk(MaxPerTransaction))
            {
                // Upserts never conflict, so a transaction of them succeeds or fails as a whole (then it is retried whole).
                await table.SubmitCountedAsync(chunk.Select(p => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(p, state))), cancellationToken);
            }
        }
    }

    public async Task RemoveAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.OutboxIndex, cancellationToken);
        await DeleteAsync(table, Where(state, pointer), RowKey(pointer), cancellationToken);
    }

    public async Task RemoveManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.OutboxIndex, cancellationToken);
        foreach (var group in pointers.DistinctBy(p => (p.HouseholdKey, p.TaskId, p.CreatedAt)).GroupBy(p => Where(state, p)))
        {
            foreach (var chunk in group.Chunk(MaxPerTransaction))
            {
                try
                {
                    await table.SubmitCountedAsync(chunk.Select(p => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(group.Key, RowKey(p)), ETag.All)), cancellationToken);
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 404)
                {
                    // One of them is gone already (removed by another dispatcher): one by one.
                    foreach (var pointer in chunk)
                    {
                        await RemoveAsync(pointer, state, cancellationToken);
                    }
                }
            }
        }
    }

    public async IAsyncEnumerable<OutboxPointer> ListAsync(OutboxIndexState state, DateTimeOffset createdBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.OutboxIndex, cancellationToken);
        var cutoff = createdBefore == DateTimeOffset.MaxValue ? "~" : TableKeys.Ticks(createdBefore);

        // Every partition of the state in one range query ("pending-…"; '.' sorts after '-').
        var from = state.ToString().ToLowerInvariant() + "-";
        var to = state.ToString().ToLowerInvariant() + ".";
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey gt {from} and PartitionKey lt {to} and RowKey lt {cutoff}"), cancellationToken: cancellationToken))
        {
            // The creation time comes from the row key (exact ticks) so the pointer maps back to the same row.
            var ticks = long.Parse(e.RowKey.AsSpan(0, 19), System.Globalization.CultureInfo.InvariantCulture);
            var pointer = new OutboxPointer(e.GetString("HouseholdKey"), e.GetString("TaskId"), e.GetString("Gemeente"), new DateTimeOffset(ticks, TimeSpan.Zero));
            if (e.PartitionKey != Partition(state, pointer))
            {
                _legacy[LegacyKey(state, e.RowKey)] = e.PartitionKey;
            }

            yield return pointer;
        }
    }

    /// <summary>
    /// Where a pointer to this outbox row lies in every state (partition, row key), for the retention purge, which
    /// deletes them with the row: a pointer is found by its key, never by a scan of the index. Pointers of the earlier
    /// layout (<c>pending-0</c> … <c>pending-f</c>) are not among them; the sweeper drops those once it finds no row.
    /// </summary>
    public static IEnumerable<(string Partition, string RowKey)> Locations(OutboxPointer pointer) =>
        Enum.GetValues<OutboxIndexState>().Select(state => (Partition(state, pointer), RowKey(pointer)));

    private static async Task DeleteAsync(TableClient table, string partition, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partition, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    // Where the pointer lies: where this instance listed it, if that was a partition of the earlier layout.
    private string Where(OutboxIndexState state, OutboxPointer pointer) =>
        _legacy.TryGetValue(LegacyKey(state, RowKey(pointer)), out var partition) ? partition : Partition(state, pointer);

    private static string LegacyKey(OutboxIndexState state, string rowKey) => $"{state}|{rowKey}";

    private static TableEntity Entity(OutboxPointer pointer, OutboxIndexState state) => new(Partition(state, pointer), RowKey(pointer))
    {
        ["HouseholdKey"] = pointer.HouseholdKey,
        ["TaskId"] = pointer.TaskId,
        ["Gemeente"] = pointer.Gemeentecode,
        ["CreatedAt"] = pointer.CreatedAt,
    };

    private static string Partition(OutboxIndexState state, OutboxPointer pointer)
    {
        var ticks = pointer.CreatedAt.UtcTicks;
        return $"{state.ToString().ToLowerInvariant()}-{TableKeys.Ticks(new DateTimeOffset(ticks - (ticks % BucketTicks), TimeSpan.Zero))}";
    }

    private static string RowKey(OutboxPointer pointer) => $"{TableKeys.Ticks(pointer.CreatedAt)}|{pointer.HouseholdKey}|{pointer.TaskId}";
}
