using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Retention;

namespace VroegSignalering.Azure.Retention;

/// <summary>
/// What purged records counted (table <c>retained</c>): a row per purge step, partition per month of the purge, the
/// row key a random id that the step's marker carries (so a resumed step writes the same row again instead of a
/// second one). A row holds only <see cref="RetainedCounts"/> keys: codes, enumerations, days and numbers.
/// </summary>
public sealed class RetainedAggregateTable(StorageClients storage, TableSet tables)
{
    public async Task WriteAsync(string id, DateTimeOffset at, RetainedCounts counts, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Retained, cancellationToken);
        await table.UpsertEntityAsync(
            new TableEntity(at.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), id)
            {
                ["Counts"] = Serialize(counts),
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    /// <summary>The sum of every row; empty when nothing was ever purged (the table is not created by reading).</summary>
    public async Task<RetainedCounts> ReadAsync(CancellationToken cancellationToken)
    {
        var sum = new RetainedCounts();
        try
        {
            await foreach (var e in storage.Tables.GetTableClient(tables.Names.Retained).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
            {
                sum.Add(Deserialize(e.GetString("Counts")));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // nothing was ever purged
        }

        return sum;
    }

    internal static string Serialize(RetainedCounts counts) =>
        JsonSerializer.Serialize(new SortedDictionary<string, long>(counts.Counts.ToDictionary(), StringComparer.Ordinal), TableJson.Default.SortedDictionaryStringInt64);

    internal static RetainedCounts Deserialize(string? json) =>
        new(json is null ? [] : JsonSerializer.Deserialize(json, TableJson.Default.SortedDictionaryStringInt64) ?? []);
}
