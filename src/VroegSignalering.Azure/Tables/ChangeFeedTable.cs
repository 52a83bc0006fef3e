using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// Changed households, sharded over 16 partitions by the first hex digit of the household key so marks
/// batch into transactions and no single partition runs hot. Acknowledged by ETag.
/// </summary>
public sealed class ChangeFeedTable(TableSet tables) : IHouseholdChangeFeed
{
    public async Task MarkChangedAsync(IReadOnlyList<HouseholdChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        foreach (var shard in changes.GroupBy(c => Shard(c.HouseholdKey)))
        {
            foreach (var batch in shard.Chunk(100))
            {
                var actions = batch.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(shard.Key, c.HouseholdKey)
                {
                    ["Gemeente"] = c.Gemeentecode,
                    ["ChangedAt"] = c.ChangedAt,
                })).ToList();
                await table.SubmitTransactionAsync(actions, cancellationToken);
            }
        }
    }

    // One query over every shard: a filter per shard would make the emulator scan the table 16 times.
    public async IAsyncEnumerable<HouseholdChange> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        await foreach (var e in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            yield return new HouseholdChange(e.RowKey, e.GetString("Gemeente"), e.GetDateTimeOffset("ChangedAt") ?? default, e.ETag.ToString());
        }
    }

    public async Task<bool> AcknowledgeAsync(HouseholdChange change, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(Shard(change.HouseholdKey), change.HouseholdKey, change.Version is null ? ETag.All : new ETag(change.Version), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>Whether any household waits for triage (one request).</summary>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        await foreach (var page in table.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
        {
            return page.Values.Count > 0;
        }

        return false;
    }

    /// <summary>Households still waiting for triage (for status and reports).</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        var n = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            n++;
        }

        return n;
    }

    private static string Shard(string householdKey) => householdKey.Length > 0 ? char.ToLowerInvariant(householdKey[0]).ToString() : "0";
}
