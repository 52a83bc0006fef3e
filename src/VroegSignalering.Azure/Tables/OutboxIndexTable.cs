using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// Pointers to outbox rows by state, sharded by household key (16 partitions per state), row keys
/// ordered by creation time so the sweeper reads only rows older than its cutoff.
/// </summary>
public sealed class OutboxIndexTable(TableSet tables) : IOutboxIndex
{
    public async Task AddAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.OutboxIndex, cancellationToken);
        await table.UpsertEntityAsync(
            new TableEntity(Partition(state, pointer.HouseholdKey), RowKey(pointer))
            {
                ["HouseholdKey"] = pointer.HouseholdKey,
                ["TaskId"] = pointer.TaskId,
                ["Gemeente"] = pointer.Gemeentecode,
                ["CreatedAt"] = pointer.CreatedAt,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task RemoveAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.OutboxIndex, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(Partition(state, pointer.HouseholdKey), RowKey(pointer), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    public async IAsyncEnumerable<OutboxPointer> ListAsync(OutboxIndexState state, DateTimeOffset createdBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.OutboxIndex, cancellationToken);
        var cutoff = createdBefore == DateTimeOffset.MaxValue ? "~" : TableKeys.Ticks(createdBefore);

        // The state's 16 shards in one range query ("pending-0" … "pending-f"; '.' sorts after '-').
        var from = state.ToString().ToLowerInvariant() + "-";
        var to = state.ToString().ToLowerInvariant() + ".";
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey.CompareTo(from) > 0 && x.PartitionKey.CompareTo(to) < 0 && x.RowKey.CompareTo(cutoff) < 0, cancellationToken: cancellationToken))
        {
            // The creation time comes from the row key (exact ticks) so the pointer maps back to the same row.
            var ticks = long.Parse(e.RowKey.AsSpan(0, 19), System.Globalization.CultureInfo.InvariantCulture);
            yield return new OutboxPointer(e.GetString("HouseholdKey"), e.GetString("TaskId"), e.GetString("Gemeente"), new DateTimeOffset(ticks, TimeSpan.Zero));
        }
    }

    private static string Partition(OutboxIndexState state, string householdKey) =>
        $"{state.ToString().ToLowerInvariant()}-{(householdKey.Length > 0 ? char.ToLowerInvariant(householdKey[0]) : '0')}";

    private static string RowKey(OutboxPointer pointer) => $"{TableKeys.Ticks(pointer.CreatedAt)}|{pointer.HouseholdKey}|{pointer.TaskId}";
}
