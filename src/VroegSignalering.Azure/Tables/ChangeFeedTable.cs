using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// Changed households, over 4 partitions. A processed chunk writes one mark, one entity listing its households
/// (<c>Households</c> = <c>key:gemeente;…</c>), into the partition of its first household key: one insert per chunk
/// instead of an entity per household, while the chunks spread over the partitions and no single one takes every
/// mark (a Table partition serves about 2,000 entities/s).
/// <para>
/// A mark is never changed by a new signal: marking again writes a new mark (its row key is new), so a household
/// marked by two chunks is read twice, and a mark read before a new signal can be removed without losing it.
/// Acknowledging removes a mark when all its households are acknowledged together, and otherwise rewrites it with
/// the households left (guarded by its ETag, read again on a conflict). Marks of the earlier layouts, one entity
/// per household with the household key as row key (4 or 16 partitions), are read and acknowledged where they lie.
/// </para>
/// </summary>
public sealed class ChangeFeedTable(TableSet tables) : IHouseholdChangeFeed
{
    /// <summary>Households per mark entity: about 70 characters each, well under a property's 64 KiB.</summary>
    public const int HouseholdsPerMark = 200;

    private const string HouseholdsProperty = "Households";
    private const string MarkPrefix = "m-";

    public async Task MarkChangedAsync(IReadOnlyList<HouseholdChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        var shard = Shard(changes[0].HouseholdKey);
        var changedAt = changes.Max(c => c.ChangedAt);
        foreach (var batch in changes.DistinctBy(c => c.HouseholdKey).Chunk(HouseholdsPerMark))
        {
            // A fresh row key each time: a retried chunk writes a second mark, which triage reads and acknowledges too.
            var entity = new TableEntity(shard, MarkPrefix + Guid.CreateVersion7().ToString("N"))
            {
                [HouseholdsProperty] = Format(batch),
                ["ChangedAt"] = changedAt,
            };
            await table.AddEntityAsync(entity, cancellationToken);
        }
    }

    // One query over every shard: a filter per shard would make the emulator scan the table 16 times.
    public async IAsyncEnumerable<HouseholdChange> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        await foreach (var e in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            foreach (var change in Changes(e))
            {
                yield return change;
            }
        }
    }

    public async Task<int> AcknowledgeManyAsync(IReadOnlyList<HouseholdChange> changes, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Changes, cancellationToken);
        var acknowledged = 0;
        var whole = new List<IGrouping<(string Partition, string Row), HouseholdChange>>();
        var partial = new List<IGrouping<(string Partition, string Row), HouseholdChange>>();
        foreach (var mark in changes.GroupBy(c => (c.Location ?? Shard(c.HouseholdKey), c.Mark ?? c.HouseholdKey)))
        {
            var households = mark.Select(c => c.HouseholdKey).Distinct(StringComparer.Ordinal).Count();
            (households >= mark.First().MarkSize && mark.First().Version is not null ? whole : partial).Add(mark);
        }

        // Marks acknowledged whole: deleted by their ETag, a partition's in transactions of up to 100.
        foreach (var shard in whole.GroupBy(m => m.Key.Partition))
        {
            foreach (var batch in shard.Chunk(100))
            {
                try
                {
                    await table.SubmitCountedAsync(batch.Select(m => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(m.Key.Partition, m.Key.Row), Version(m.First()))), cancellationToken);
                    acknowledged += batch.Sum(m => m.Select(c => c.HouseholdKey).Distinct(StringComparer.Ordinal).Count());
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412)
                {
                    // A mark went or was rewritten since it was read: each on its own, the careful way.
                    partial.AddRange(batch);
                }
            }
        }

        foreach (var mark in partial)
        {
            acknowledged += await RemoveFromMarkAsync(table, mark.Key.Partition, mark.Key.Row, mark.Select(c => c.HouseholdKey).ToHashSet(StringComparer.Ordinal), mark.First().Version, cancellationToken);
        }

        return acknowledged;
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

    /// <summary>Households still waiting for triage (for status and reports), each counted once.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        var households = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var change in ReadAsync(cancellationToken))
        {
            households.Add(change.HouseholdKey);
        }

        return households.Count;
    }

    // Removes the given households from one mark: read, drop them, and delete the mark when none is left or rewrite it
    // with the rest, by its ETag; on a conflict (another acknowledgement meanwhile) read again. Returns how many of the
    // given households the mark still listed. A mark of the earlier layout is rewritten by a new signal, so one that
    // changed since it was read stays.
    private static async Task<int> RemoveFromMarkAsync(TableClient table, string partition, string row, HashSet<string> households, string? readVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
            if (!current.HasValue || current.Value is not { } entity)
            {
                return 0;
            }

            if (entity.GetString(HouseholdsProperty) is null && readVersion is not null && entity.ETag.ToString() != readVersion)
            {
                return 0;
            }

            var listed = Changes(entity).ToList();
            var left = listed.Where(c => !households.Contains(c.HouseholdKey)).ToList();
            var removed = listed.Count - left.Count;
            try
            {
                if (left.Count == 0)
                {
                    await table.DeleteEntityAsync(partition, row, entity.ETag, cancellationToken);
                }
                else if (removed > 0)
                {
                    entity[HouseholdsProperty] = Format(left);
                    await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return removed;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Changed or gone meanwhile: read it again.
            }
        }
    }

    private static IEnumerable<HouseholdChange> Changes(TableEntity e)
    {
        var changedAt = e.GetDateTimeOffset("ChangedAt") ?? default;
        if (e.GetString(HouseholdsProperty) is not { } listed)
        {
            // The earlier layout: one mark per household, keyed by it.
            yield return new HouseholdChange(e.RowKey, e.GetString("Gemeente"), changedAt, e.ETag.ToString(), e.PartitionKey) { Mark = e.RowKey };
            yield break;
        }

        var entries = listed.Split(';', StringSplitOptions.RemoveEmptyEntries);
        foreach (var entry in entries)
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var key = colon < 0 ? entry : entry[..colon];
            var gemeente = colon < 0 ? string.Empty : entry[(colon + 1)..];
            yield return new HouseholdChange(key, gemeente, changedAt, e.ETag.ToString(), e.PartitionKey) { Mark = e.RowKey, MarkSize = entries.Length };
        }
    }

    private static string Format(IEnumerable<HouseholdChange> changes)
    {
        var text = new StringBuilder();
        foreach (var c in changes)
        {
            text.Append(text.Length == 0 ? string.Empty : ";").Append(c.HouseholdKey).Append(':').Append(c.Gemeentecode);
        }

        return text.ToString();
    }

    private static ETag Version(HouseholdChange change) => change.Version is null ? ETag.All : new ETag(change.Version);

    // Household keys are hex: the first digit's value modulo 4 ("0" … "3").
    private static string Shard(string householdKey) =>
        householdKey.Length > 0 && char.IsAsciiHexDigit(householdKey[0])
            ? (Convert.ToInt32(householdKey[..1], 16) % 4).ToString(CultureInfo.InvariantCulture)
            : "0";
}
