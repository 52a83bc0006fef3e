using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.Azure.Tables;

/// <summary>Entity-group transactions of the app's tables, counted under their table (a batch names it only in its body).</summary>
internal static class TableTransactions
{
    public static async Task<Response<IReadOnlyList<Response>>> SubmitCountedAsync(this TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        using var target = StorageRequestTarget.Enter(table.Name);
        return await table.SubmitTransactionAsync(actions, cancellationToken);
    }

    public static async Task<Response<TableItem>> CreateIfNotExistsCountedAsync(this TableClient table, CancellationToken cancellationToken)
    {
        using var target = StorageRequestTarget.Enter(table.Name);
        return await table.CreateIfNotExistsAsync(cancellationToken);
    }
}
