using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Quarantine;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// The quarantine table as the redrive and manual assignment see it (rows written by <see cref="QuarantineTableStore"/>):
/// an assignment is four more columns on the signal's row, written with If-Match.
/// </summary>
public sealed class QuarantineResolutionStore(TableSet tables) : IQuarantineResolutions
{
    public async Task<IReadOnlyList<QuarantineEntry>> PageAsync(QuarantineCursor? after, int limit, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Quarantine, cancellationToken);
        var filter = after is null
            ? null
            : TableClient.CreateQueryFilter($"PartitionKey gt {after.ReceiptId} or (PartitionKey eq {after.ReceiptId} and RowKey gt {after.SignalId})");
        var list = new List<QuarantineEntry>(limit);
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            list.Add(Map(e));
            if (list.Count == limit)
            {
                break;
            }
        }

        return list;
    }

    public async Task<QuarantineEntry?> FindAsync(string signalId, CancellationToken cancellationToken)
    {
        // The row key is the signal id; the partition (receipt) is not known to the operator, so this scans the
        // quarantine, which is small by nature.
        var table = await tables.GetAsync(tables.Names.Quarantine, cancellationToken);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {signalId}"), cancellationToken: cancellationToken))
        {
            return Map(e);
        }

        return null;
    }

    public async Task<bool> AssignAsync(QuarantineEntry entry, QuarantineAssignment assignment, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Quarantine, cancellationToken);
        try
        {
            await table.UpdateEntityAsync(
                new TableEntity(entry.Signal.ReceiptId, entry.Signal.SignalId)
                {
                    ["AssignedGemeente"] = assignment.Gemeentecode,
                    ["AssignmentReason"] = assignment.ReasonCode,
                    ["AssignedBy"] = assignment.OperatorId,
                    ["AssignedAt"] = assignment.AssignedAt,
                },
                new ETag(entry.Version),
                TableUpdateMode.Merge,
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    public async Task RemoveAsync(QuarantineEntry entry, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Quarantine, cancellationToken);

        // Unconditional: the signal is in its household whatever changed on the row since; 404 is not an error.
        await table.DeleteEntityAsync(entry.Signal.ReceiptId, entry.Signal.SignalId, ETag.All, cancellationToken);
    }

    private static QuarantineEntry Map(TableEntity e)
    {
        var signal = new QuarantinedSignal(e.PartitionKey, e.RowKey, e.GetString("CreditorId"), e.GetString("ReasonCode"), e.GetString("Reason"),
            e.GetDateTimeOffset("QuarantinedAt") ?? default, new ProtectedPayload(e.GetString("KeyId"), e.GetBinary("Signal")));
        var assignment = e.GetString("AssignedGemeente") is { } gemeente
            ? new QuarantineAssignment(gemeente, e.GetString("AssignmentReason") ?? string.Empty, e.GetString("AssignedBy") ?? string.Empty, e.GetDateTimeOffset("AssignedAt") ?? default)
            : null;
        return new QuarantineEntry(signal, assignment, e.ETag.ToString());
    }
}

/// <summary>The assignment audit trail: partition per gemeente, row per signal; only the fields of <see cref="QuarantineAuditRecord"/>.</summary>
public sealed class QuarantineAuditTable(TableSet tables) : IQuarantineAudit
{
    public async Task RecordAsync(QuarantineAuditRecord record, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.QuarantineAudit, cancellationToken);
        await table.UpsertEntityAsync(
            new TableEntity(record.Gemeentecode, TableKeys.Escape(record.SignalId))
            {
                ["SignalId"] = record.SignalId,
                ["ReasonCode"] = record.ReasonCode,
                ["OperatorId"] = record.OperatorId,
                ["At"] = record.At,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<IReadOnlyList<QuarantineAuditRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.QuarantineAudit, cancellationToken);
        var list = new List<QuarantineAuditRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            list.Add(new QuarantineAuditRecord(e.GetString("SignalId"), e.PartitionKey, e.GetString("ReasonCode"), e.GetString("OperatorId"), e.GetDateTimeOffset("At") ?? default));
        }

        return list;
    }
}
