using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// Changed households, over 4 partitions. The marks of one call (one processed chunk) all go to one partition,
/// chosen by the first household key, so a chunk costs one transaction (≤ 100 marks) instead of one per shard,
/// while the chunks spread over the partitions and no single one takes every mark (a Table partition serves
/// about 2,000 entities/s). A household marked by two chunks may therefore hold a mark in two partitions: the
/// reader sees both, and each is acknowledged in its own partition by its own ETag. Marks of the earlier
/// 16-shard layout are read and acknowledged where they lie.
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
        var shard = Shard(changes[0].HouseholdKey);
        foreach (var batch in changes.DistinctBy(c => c.HouseholdKey).Chunk(100))
        {
            var actions = batch.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(shard, c.HouseholdKey)
            {
                ["Gemeente"] = c.Gemeentecode,
                ["ChangedAt"] = c.ChangedAt,
            })).ToList();
            await table.SubmitCountedAsync(actions, cancellationToken);
        }
    }

    // One query over every shard: a filter per shard would make the emulator scan the table 16 times.
    public async IAsyncEnumerable<HouseholdChange> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        await foreach (var e in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            yield return new HouseholdChange(e.RowKey, e.GetString("Gemeente"), e.GetDateTimeOffset("ChangedAt") ?? default, e.ETag.ToString(), e.PartitionKey);
        }
    }

    public async Task<bool> AcknowledgeAsync(HouseholdChange change, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(change.Location ?? Shard(change.HouseholdKey), change.HouseholdKey, Version(change), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    public async Task<int> AcknowledgeManyAsync(IReadOnlyList<HouseholdChange> changes, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        var removed = 0;
        foreach (var shard in changes.GroupBy(c => c.Location ?? Shard(c.HouseholdKey)))
        {
            foreach (var batch in shard.DistinctBy(c => c.HouseholdKey).Chunk(100))
            {
                try
                {
                    await table.SubmitCountedAsync(batch.Select(c => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(shard.Key, c.HouseholdKey), Version(c))), cancellationToken);
                    removed += batch.Length;
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412)
                {
                    // A mark changed (a new signal) or went since it was read: the rest one by one, that one stays.
                    foreach (var change in batch)
                    {
                        removed += await AcknowledgeAsync(change, cancellationToken) ? 1 : 0;
                    }
                }
            }
        }

        return removed;
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

    private static ETag Version(HouseholdChange change) => change.Version is null ? ETag.All : new ETag(change.Version);

    // Household keys are hex: the first digit's value modulo 4 ("0" … "3").
    private static string Shard(string householdKey) =>
        householdKey.Length > 0 && char.IsAsciiHexDigit(householdKey[0])
            ? (Convert.ToInt32(householdKey[..1], 16) % 4).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "0";
}
