using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;

namespace VroegSignalering.Azure.Tables;

/// <summary>Quarantined signals, partition per receipt (so a receipt's status can count them), encrypted.</summary>
public sealed class QuarantineTableStore(TableSet tables) : IQuarantineStore
{
    /// <summary>
    /// Quarantines a signal unless a replay of its chunk finds it handled already. Insert only, never replace: a
    /// retried chunk (ProcessSignals runs a chunk again after a failure) must not wipe an operator's assignment on
    /// the row nor reset its age. And a signal an operator assigned by hand has an audit row
    /// (<see cref="QuarantineAuditTable"/>, kept after the signal leaves quarantine): it is in its household, or on
    /// its way there through the redrive, so it is not quarantined again. A signal that left quarantine by a redrive
    /// after the address file was updated needs no such check: its replay routes and finds it stored.
    /// </summary>
    public async Task AddAsync(QuarantinedSignal signal, CancellationToken cancellationToken)
    {
        if (await AssignedByHandAsync(signal.SignalId, cancellationToken))
        {
            return;
        }

        var table = await tables.GetAsync(tables.Names.Quarantine, cancellationToken);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(signal.ReceiptId, signal.SignalId)
                {
                    ["CreditorId"] = signal.CreditorId,
                    ["ReasonCode"] = signal.ReasonCode,
                    ["Reason"] = signal.Reason,
                    ["QuarantinedAt"] = signal.QuarantinedAt,
                    ["KeyId"] = signal.Signal.KeyId,
                    ["Signal"] = signal.Signal.Data,
                },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Quarantined before (a replay): the row stays as it is, with any assignment and its first quarantine time.
        }
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

    // The audit table is partitioned by gemeente and small (hand assignments only): one query on the row key, keys only.
    // Intake does not create it: no table means no assignment yet.
    private async Task<bool> AssignedByHandAsync(string signalId, CancellationToken cancellationToken)
    {
        var audit = tables.WithoutCreating(tables.Names.QuarantineAudit);
        try
        {
            await foreach (var _ in audit.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {TableKeys.Escape(signalId)}"), maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                return true;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }

        return false;
    }
}
