using Azure.Data.Tables;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.Azure.Tables;

/// <summary>The app's tables, each created on first use (once per process; tried again after a failure).</summary>
public sealed class TableSet(StorageClients storage, StorageNames names)
{
    private readonly CreatedOnFirstUse<TableClient> _tables = new(async name =>
    {
        var client = storage.Tables.GetTableClient(name);
        await client.CreateIfNotExistsCountedAsync(CancellationToken.None);
        return client;
    });

    public StorageNames Names => names;

    public Task<TableClient> GetAsync(string tableName, CancellationToken cancellationToken) => _tables.GetAsync(tableName, cancellationToken);

    /// <summary>A client that does not create the table: for a read that must not bring a table into being (a 404 means none).</summary>
    public TableClient WithoutCreating(string tableName) => storage.Tables.GetTableClient(tableName);

    /// <summary>
    /// Rows of one kind in every household partition (reporting, escalation: a full scan): the row key prefix "x|" up to
    /// "x}" ('}' follows '|'), optionally narrowed by <paramref name="and"/>, an OData filter on the row's columns.
    /// </summary>
    public async IAsyncEnumerable<(string HouseholdKey, T Value)> ScanHouseholdRowsAsync<T>(
        string prefix, Func<TableEntity, T> map, string? and, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var upper = prefix[..^1] + "}";
        var filter = TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {upper}") + (and is null ? string.Empty : " and " + and);
        foreach (var name in names.AllHouseholdTables)
        {
            var table = await GetAsync(name, cancellationToken);
            await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                yield return (e.PartitionKey, map(e));
            }
        }
    }
}

/// <summary>Encodings for keys and values Table Storage cannot hold as they are.</summary>
public static class TableKeys
{
    /// <summary>PartitionKey/RowKey may not contain / \ # ? or control characters: escape them (and %) as %XX.</summary>
    public static string Escape(string value)
    {
        var sb = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c))
            {
                sb.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Decimals go as invariant strings: Table Storage has no decimal type and a double would round.</summary>
    public static string Amount(decimal amount) => amount.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static decimal ParseAmount(string text) => decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Fixed-width ticks sort lexically in time order.</summary>
    public static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
}
