using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// (creditor, signaalReferentie) → content hash and receipt. Partition per creditor, so up to 100 claims
/// go in one transaction; when a batch meets an existing reference it falls back to one insert per row.
/// </summary>
public sealed class SignalReferenceTableStore(TableSet tables) : ISignalReferenceStore
{
    private const int BatchSize = 100;

    public async Task<IReadOnlyList<ReferenceClaim>> ClaimAsync(string creditorId, string receiptId, IReadOnlyList<QueuedSignal> signals, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.SignalReferences, cancellationToken);
        var pk = TableKeys.Escape(creditorId);
        var claims = new ReferenceClaim[signals.Count];
        for (var start = 0; start < signals.Count; start += BatchSize)
        {
            var slice = signals.Skip(start).Take(BatchSize).ToList();
            var actions = slice.Select(s => new TableTransactionAction(TableTransactionActionType.Add, Entity(pk, receiptId, s))).ToList();
            try
            {
                await table.SubmitCountedAsync(actions, cancellationToken);
                for (var i = 0; i < slice.Count; i++)
                {
                    claims[start + i] = new ReferenceClaim(slice[i].Signal.SignaalReferentie, slice[i].SignalId, slice[i].ContentHash, receiptId, New: true);
                }

                continue;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                // Some of these references exist: claim them one by one.
            }

            await Parallel.ForEachAsync(Enumerable.Range(0, slice.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                claims[start + i] = await ClaimOneAsync(table, pk, receiptId, slice[i], ct);
            });
        }

        return claims;
    }

    public async Task TransferAsync(string creditorId, IReadOnlyList<ReferenceClaim> claims, string toReceiptId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.SignalReferences, cancellationToken);
        var pk = TableKeys.Escape(creditorId);
        foreach (var claim in claims)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(pk, TableKeys.Escape(claim.Reference), cancellationToken: cancellationToken);
            if (current.HasValue && current.Value!.GetString("ReceiptId") == claim.ReceiptId)
            {
                current.Value["ReceiptId"] = toReceiptId;
                try
                {
                    await table.UpdateEntityAsync(current.Value, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    // Another request took it over first; either way it is queued again.
                }
            }
        }
    }

    public async Task ReleaseAsync(string creditorId, string receiptId, IReadOnlyList<string> references, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.SignalReferences, cancellationToken);
        var pk = TableKeys.Escape(creditorId);
        foreach (var reference in references)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(pk, TableKeys.Escape(reference), cancellationToken: cancellationToken);
            if (current.HasValue && current.Value!.GetString("ReceiptId") == receiptId)
            {
                try
                {
                    await table.DeleteEntityAsync(pk, current.Value.RowKey, current.Value.ETag, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                {
                }
            }
        }
    }

    private static async Task<ReferenceClaim> ClaimOneAsync(TableClient table, string pk, string receiptId, QueuedSignal signal, CancellationToken cancellationToken)
    {
        var reference = signal.Signal.SignaalReferentie;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await table.AddEntityAsync(Entity(pk, receiptId, signal), cancellationToken);
                return new ReferenceClaim(reference, signal.SignalId, signal.ContentHash, receiptId, New: true);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                var existing = await table.GetEntityIfExistsAsync<TableEntity>(pk, TableKeys.Escape(reference), cancellationToken: cancellationToken);
                if (existing.HasValue)
                {
                    var e = existing.Value!;
                    return new ReferenceClaim(reference, e.GetString("SignalId"), e.GetString("ContentHash"), e.GetString("ReceiptId"), New: false);
                }
            }
        }

        throw new InvalidOperationException("a signal reference kept appearing and disappearing while it was claimed");
    }

    private static TableEntity Entity(string pk, string receiptId, QueuedSignal s) => new(pk, TableKeys.Escape(s.Signal.SignaalReferentie))
    {
        ["SignalId"] = s.SignalId,
        ["ContentHash"] = s.ContentHash,
        ["ReceiptId"] = receiptId,
    };
}
