using System.Globalization;
using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Outcomes;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// Creditor feedback, a partition per creditor: pending rows <c>p|signalId</c> (the promise, with where to check it)
/// and items <c>f|ticks|signalId</c> in confirmation order, which the cursor follows. Confirming is one transaction
/// in the partition (the pending row removed If-Match, the item added), so each signal gets one item. An item holds
/// the creditor's reference and the day help was accepted, and nothing else.
/// </summary>
public sealed class FeedbackTableStore(TableSet tables) : IFeedbackStore
{
    private const string PendingPrefix = "p|";
    private const string ItemPrefix = "f|";

    public async Task<IReadOnlyList<PendingFeedback>> AddPendingAsync(IReadOnlyList<PendingFeedback> pending, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken);
        var written = new List<PendingFeedback>(pending.Count);
        foreach (var p in pending)
        {
            var response = await table.UpsertEntityAsync(ToEntity(p), TableUpdateMode.Replace, cancellationToken);
            written.Add(p with { Version = response.Headers.ETag?.ToString() });
        }

        return written;
    }

    public async Task<IReadOnlyList<PendingFeedback>> ListPendingAsync(string creditorId, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken);
        var pk = TableKeys.Escape(creditorId);
        var list = new List<PendingFeedback>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {PendingPrefix} and RowKey lt {"p}"}"), cancellationToken: cancellationToken))
        {
            list.Add(new PendingFeedback(
                creditorId, e.RowKey[PendingPrefix.Length..], e.GetString("Referentie"), e.GetString("HouseholdKey"), e.GetString("CaseId"),
                e.GetDateTimeOffset("CreatedAt") ?? default, e.ETag.ToString(), e.GetString("Datum") is { } datum ? TableKeys.ParseDate(datum) : null));
        }

        return list;
    }

    public async Task<bool> ConfirmAsync(PendingFeedback pending, DateOnly datum, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken);
        var pk = TableKeys.Escape(pending.CreditorId);
        var item = new TableEntity(pk, $"{ItemPrefix}{TableKeys.Ticks(at)}|{pending.SignalId}")
        {
            ["Referentie"] = pending.SignaalReferentie,
            ["Datum"] = TableKeys.Date(datum),
        };
        try
        {
            await table.SubmitCountedAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pk, PendingPrefix + pending.SignalId), new ETag(pending.Version ?? "*")),
                new TableTransactionAction(TableTransactionActionType.Add, item),
            ], cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    public async Task<bool> DropAsync(PendingFeedback pending, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken);
        try
        {
            await table.DeleteEntityAsync(TableKeys.Escape(pending.CreditorId), PendingPrefix + pending.SignalId, new ETag(pending.Version ?? "*"), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    public async Task<FeedbackPage> ReadAsync(string creditorId, string? cursor, int max, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken);
        var pk = TableKeys.Escape(creditorId);
        var from = cursor is null ? ItemPrefix : ItemPrefix + cursor;
        var items = new List<(string Key, FeedbackItem Item)>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey gt {from} and RowKey lt {"f}"}"), maxPerPage: max, cancellationToken: cancellationToken))
        {
            items.Add((e.RowKey[ItemPrefix.Length..], new FeedbackItem(e.GetString("Referentie"), TableKeys.ParseDate(e.GetString("Datum")))));
            if (items.Count == max)
            {
                break;
            }
        }

        // The cursor is the last item's key: a later read returns what was confirmed after it.
        return new FeedbackPage(items.Select(i => i.Item).ToList(), items.Count == 0 ? cursor : items[^1].Key);
    }

    /// <summary>
    /// Feedback items sent, per creditor partition (the run report's "creditor feedback sent"): a full scan of the items'
    /// keys only, no reference or date read.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> CountSentAsync(CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {ItemPrefix} and RowKey lt {"f}"}"), select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            var creditor = Uri.UnescapeDataString(e.PartitionKey);
            counts[creditor] = counts.GetValueOrDefault(creditor) + 1;
        }

        return counts;
    }

    private Task<TableClient> Table(CancellationToken cancellationToken) => tables.GetAsync(tables.Names.Feedback, cancellationToken);

    private static TableEntity ToEntity(PendingFeedback p) => new(TableKeys.Escape(p.CreditorId), PendingPrefix + p.SignalId)
    {
        ["Referentie"] = p.SignaalReferentie,
        ["HouseholdKey"] = p.HouseholdKey,
        ["CaseId"] = p.CaseId,
        ["CreatedAt"] = p.CreatedAt,
        ["Datum"] = p.Datum is { } datum ? TableKeys.Date(datum) : null,
    };
}
