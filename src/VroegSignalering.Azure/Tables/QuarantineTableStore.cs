using Azure.Data.Tables;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;

namespace VroegSignalering.Azure.Tables;

/// <summary>Quarantined signals, partition per receipt (so a receipt's status can count them), encrypted.</summary>
public sealed class QuarantineTableStore(TableSet tables) : IQuarantineStore
{
    public async Task AddAsync(QuarantinedSignal signal, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Quarantine, cancellationToken);
        await table.UpsertEntityAsync(
            new TableEntity(signal.ReceiptId, signal.SignalId)
            {
                ["CreditorId"] = signal.CreditorId,
                ["ReasonCode"] = signal.ReasonCode,
                ["Reason"] = signal.Reason,
                ["QuarantinedAt"] = signal.QuarantinedAt,
                ["KeyId"] = signal.Signal.KeyId,
                ["Signal"] = signal.Signal.Data,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<IReadOnlyList<QuarantinedSignal>> ListAsync(string? receiptId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Quarantine, cancellationToken);
        var query = receiptId is null
            ? table.QueryAsync<TableEntity>(cancellationToken: cancellationToken)
            : table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {receiptId}"), cancellationToken: cancellationToken);
        var list = new List<QuarantinedSignal>();
        await foreach (var e in query)
        {
            list.Add(new QuarantinedSignal(e.PartitionKey, e.RowKey, e.GetString("CreditorId"), e.GetString("ReasonCode"), e.GetString("Reason"),
                e.GetDateTimeOffset("QuarantinedAt") ?? default, new ProtectedPayload(e.GetString("KeyId"), e.GetBinary("Signal"))));
        }

        return list;
    }
}
