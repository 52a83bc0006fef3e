using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// One partition per household (PartitionKey = household key): signals <c>s|id</c>, the head <c>h</c>,
/// cases <c>c|id</c>, tasks <c>t|id</c> and outbox rows <c>o|id</c>. A triage step is one entity-group
/// transaction; ETags guard every update, inserts never overwrite.
/// </summary>
public sealed class HouseholdTableStore(TableSet tables) : IHouseholdStore, VroegSignalering.Core.Escalation.ICasesAwaitingContact
{
    private const string HeadKey = "h";
    private const string SignalPrefix = "s|";
    private const string CasePrefix = "c|";
    private const string TaskPrefix = "t|";
    private const string OutboxPrefix = "o|";

    public async Task<bool> ExistsAsync(string householdKey, CancellationToken cancellationToken)
    {
        var table = await Table(householdKey, cancellationToken);
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {householdKey}"), maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            return true;
        }

        return false;
    }

    public async Task<bool> AddSignalAsync(string householdKey, StoredSignal signal, CancellationToken cancellationToken)
    {
        var table = await Table(householdKey, cancellationToken);
        try
        {
            await table.AddEntityAsync(ToEntity(householdKey, signal), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<HouseholdSnapshot> LoadAsync(string householdKey, CancellationToken cancellationToken)
    {
        var table = await Table(householdKey, cancellationToken);
        Versioned<HouseholdHead>? head = null;
        var signals = new List<StoredSignal>();
        var cases = new List<Versioned<HouseholdCase>>();
        var tasks = new List<OutreachTask>();
        var outbox = new List<Versioned<OutboxEntry>>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {householdKey}"), cancellationToken: cancellationToken))
        {
            var rk = e.RowKey;
            if (rk == HeadKey)
            {
                head = new Versioned<HouseholdHead>(ToHead(e), e.ETag.ToString());
            }
            else if (rk.StartsWith(SignalPrefix, StringComparison.Ordinal))
            {
                signals.Add(ToSignal(e));
            }
            else if (rk.StartsWith(CasePrefix, StringComparison.Ordinal))
            {
                cases.Add(new Versioned<HouseholdCase>(ToCase(e), e.ETag.ToString()));
            }
            else if (rk.StartsWith(TaskPrefix, StringComparison.Ordinal))
            {
                tasks.Add(ToTask(e));
            }
            else if (rk.StartsWith(OutboxPrefix, StringComparison.Ordinal))
            {
                outbox.Add(new Versioned<OutboxEntry>(ToOutbox(e), e.ETag.ToString()));
            }
        }

        return new HouseholdSnapshot(householdKey, head, signals, cases, tasks, outbox);
    }

    public async Task<bool> CommitAsync(string householdKey, TriageCommit commit, CancellationToken cancellationToken)
    {
        var table = await Table(householdKey, cancellationToken);
        var actions = new List<TableTransactionAction>
        {
            Write(ToEntity(householdKey, commit.Head), commit.HeadVersion),
            Write(ToEntity(householdKey, commit.Case), commit.CaseVersion),
        };
        if (commit.Task is not null)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, ToEntity(householdKey, commit.Task)));
        }

        if (commit.Outbox is not null)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, ToEntity(householdKey, commit.Outbox)));
        }

        return await SubmitAsync(table, actions, cancellationToken);
    }

    public async Task<Versioned<OutboxEntry>?> GetOutboxAsync(string householdKey, string taskId, CancellationToken cancellationToken)
    {
        var table = await Table(householdKey, cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(householdKey, OutboxPrefix + taskId, cancellationToken: cancellationToken);
        return response.HasValue ? new Versioned<OutboxEntry>(ToOutbox(response.Value!), response.Value!.ETag.ToString()) : null;
    }

    public async Task<Versioned<HouseholdCase>?> GetCaseAsync(string householdKey, string caseId, CancellationToken cancellationToken)
    {
        var table = await Table(householdKey, cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(householdKey, CasePrefix + caseId, cancellationToken: cancellationToken);
        return response.HasValue ? new Versioned<HouseholdCase>(ToCase(response.Value!), response.Value!.ETag.ToString()) : null;
    }

    public async Task<(Versioned<OutboxEntry>? Outbox, Versioned<HouseholdCase>? Case)> GetOutboxWithCaseAsync(string householdKey, string taskId, CancellationToken cancellationToken)
    {
        var table = await Table(householdKey, cancellationToken);
        var outboxKey = OutboxPrefix + taskId;
        const string caseFrom = CasePrefix;
        const string caseTo = "c}";
        Versioned<OutboxEntry>? outbox = null;
        var cases = new List<Versioned<HouseholdCase>>();
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {householdKey} and (RowKey eq {outboxKey} or (RowKey ge {caseFrom} and RowKey lt {caseTo}))"),
            cancellationToken: cancellationToken))
        {
            if (e.RowKey == outboxKey)
            {
                outbox = new Versioned<OutboxEntry>(ToOutbox(e), e.ETag.ToString());
            }
            else
            {
                cases.Add(new Versioned<HouseholdCase>(ToCase(e), e.ETag.ToString()));
            }
        }

        return (outbox, outbox is null ? null : cases.FirstOrDefault(c => c.Value.CaseId == outbox.Value.CaseId));
    }

    public async Task<Versioned<OutboxEntry>?> ClaimOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, DateTimeOffset claimedAt, CancellationToken cancellationToken)
    {
        var claimed = entry.Value.ClaimedBy(claimedAt);
        var version = await ReplaceOutboxAsync(householdKey, entry, claimed, cancellationToken);
        if (version is null)
        {
            return null;
        }

        // Azurite and Azure both answer with the new ETag; read it back should a proxy drop the header.
        return version.Length > 0 ? new Versioned<OutboxEntry>(claimed, version) : await GetOutboxAsync(householdKey, entry.Value.TaskId, cancellationToken);
    }

    public async Task<bool> RecordOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, OutboxEntry result, CaseMove? caseMove, CancellationToken cancellationToken)
    {
        if (caseMove is null)
        {
            return await ReplaceOutboxAsync(householdKey, entry, result, cancellationToken) is not null;
        }

        var table = await Table(householdKey, cancellationToken);
        try
        {
            await table.SubmitCountedAsync(
                [Write(ToEntity(householdKey, result), entry.Version), Write(ToEntity(householdKey, caseMove.After), caseMove.Before.Version)], cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            // a transaction failure (TableTransactionFailedException) included: another writer came first
            return false;
        }
    }

    public async Task<bool> ResetOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, CancellationToken cancellationToken) =>
        await ReplaceOutboxAsync(householdKey, entry, entry.Value.ResetForRetry(), cancellationToken) is not null;

    // Replaces the row if it is still at the version read; its new version (empty when the reply lacks one), or null.
    private async Task<string?> ReplaceOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, OutboxEntry updated, CancellationToken cancellationToken)
    {
        var table = await Table(householdKey, cancellationToken);
        try
        {
            var response = await table.UpdateEntityAsync(ToEntity(householdKey, updated), new ETag(entry.Version), TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag?.ToString() ?? string.Empty;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    /// <summary>Every task in the table (reporting; a full scan).</summary>
    public IAsyncEnumerable<(string HouseholdKey, OutreachTask Task)> ScanTasksAsync(CancellationToken cancellationToken) => tables.ScanHouseholdRowsAsync(TaskPrefix, ToTask, null, cancellationToken);

    /// <summary>Every case in the table (reporting; a full scan).</summary>
    public IAsyncEnumerable<(string HouseholdKey, HouseholdCase Case)> ScanCasesAsync(CancellationToken cancellationToken) => tables.ScanHouseholdRowsAsync(CasePrefix, ToCase, null, cancellationToken);

    /// <summary>
    /// Cases whose team has not recorded anything yet (status Triaged or TaskDispatched): escalation's candidates,
    /// filtered by the store. A full scan of the case rows, once per EscalateOverdue run.
    /// </summary>
    public IAsyncEnumerable<(string HouseholdKey, HouseholdCase Case)> ScanCasesAwaitingContactAsync(CancellationToken cancellationToken) =>
        tables.ScanHouseholdRowsAsync(CasePrefix, ToCase, TableClient.CreateQueryFilter($"(Status eq {nameof(CaseStatus.Triaged)} or Status eq {nameof(CaseStatus.TaskDispatched)})"), cancellationToken);

    /// <summary>Every outbox row (reporting; a full scan).</summary>
    public IAsyncEnumerable<(string HouseholdKey, OutboxEntry Entry)> ScanOutboxAsync(CancellationToken cancellationToken) => tables.ScanHouseholdRowsAsync(OutboxPrefix, ToOutbox, null, cancellationToken);

    /// <summary>Every stored signal (reporting; a full scan).</summary>
    public IAsyncEnumerable<(string HouseholdKey, StoredSignal Signal)> ScanSignalsAsync(CancellationToken cancellationToken) => tables.ScanHouseholdRowsAsync(SignalPrefix, ToSignal, null, cancellationToken);

    private Task<TableClient> Table(string householdKey, CancellationToken cancellationToken) => tables.GetAsync(tables.Names.Households(householdKey), cancellationToken);

    private static TableTransactionAction Write(TableEntity entity, string? version) => version is null
        ? new TableTransactionAction(TableTransactionActionType.Add, entity)
        : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(version));

    // 409 (an insert found the row) and 412 (an ETag no longer matches) mean another writer came first.
    private static async Task<bool> SubmitAsync(TableClient table, List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitCountedAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    private static TableEntity ToEntity(string pk, StoredSignal s) => new(pk, SignalPrefix + s.SignalId)
    {
        ["CreditorId"] = s.CreditorId,
        ["Referentie"] = s.SignaalReferentie,
        ["PartnerType"] = s.PartnerType.ToString(),
        ["Bedrag"] = TableKeys.Amount(s.Bedrag),
        ["Ontstaansdatum"] = TableKeys.Date(s.Ontstaansdatum),
        ["Signaaldatum"] = TableKeys.Date(s.Signaaldatum),
        ["Crisis"] = s.Crisissignaal,
        ["Warm"] = s.WarmeOverdracht,
        ["Eindelevering"] = s.Eindeleveringsdatum is { } d ? TableKeys.Date(d) : null,
        ["Gemeente"] = s.Area.Gemeentecode,
        ["Wijk"] = s.Area.Wijkcode,
        ["Buurt"] = s.Area.Buurtcode,
        ["PersonKey"] = s.PersonKey,
        ["AgeYears"] = s.AgeYears,
        ["PhoneKnown"] = s.PhoneKnown,
        ["ReceiptId"] = s.ReceiptId,
        ["ReceivedAt"] = s.ReceivedAt,
        ["StoredAt"] = s.StoredAt,
        ["TraceParent"] = s.TraceParent,
        ["ContentHash"] = s.ContentHash,
        ["KeyId"] = s.Personal.KeyId,
        ["Personal"] = s.Personal.Data,
        ["HmacKeyId"] = s.HmacKeyId,
    };

    internal static StoredSignal ToSignal(TableEntity e) => new(
        e.RowKey[SignalPrefix.Length..],
        e.GetString("CreditorId"),
        e.GetString("Referentie"),
        Enum.Parse<PartnerType>(e.GetString("PartnerType")),
        TableKeys.ParseAmount(e.GetString("Bedrag")),
        TableKeys.ParseDate(e.GetString("Ontstaansdatum")),
        TableKeys.ParseDate(e.GetString("Signaaldatum")),
        e.GetBoolean("Crisis") ?? false,
        e.GetBoolean("Warm") ?? false,
        e.GetString("Eindelevering") is { } d ? TableKeys.ParseDate(d) : null,
        new AreaCodes(e.GetString("Gemeente"), e.GetString("Wijk"), e.GetString("Buurt")),
        e.GetString("PersonKey"),
        e.GetInt32("AgeYears") ?? 0,
        e.GetBoolean("PhoneKnown") ?? false,
        e.GetString("ReceiptId"),
        e.GetDateTimeOffset("ReceivedAt") ?? default,
        e.GetDateTimeOffset("StoredAt") ?? default,
        e.GetString("TraceParent"),
        e.GetString("ContentHash"),
        new ProtectedPayload(e.GetString("KeyId"), e.GetBinary("Personal")),
        e.GetString("HmacKeyId"));

    private static TableEntity ToEntity(string pk, HouseholdHead h) => new(pk, HeadKey)
    {
        ["CaseSequence"] = h.CaseSequence,
        ["LatestCaseId"] = h.LatestCaseId,
        ["UpdatedAt"] = h.UpdatedAt,
    };

    private static HouseholdHead ToHead(TableEntity e) => new(
        e.PartitionKey, e.GetInt32("CaseSequence") ?? 0, e.GetString("LatestCaseId"), e.GetDateTimeOffset("UpdatedAt") ?? default);

    private static TableEntity ToEntity(string pk, HouseholdCase c) => new(pk, CasePrefix + c.CaseId)
    {
        ["Sequence"] = c.Sequence,
        ["Status"] = c.Status.ToString(),
        ["Gemeente"] = c.Area.Gemeentecode,
        ["Wijk"] = c.Area.Wijkcode,
        ["Buurt"] = c.Area.Buurtcode,
        ["OpenedAt"] = c.OpenedAt,
        ["FirstSignaaldatum"] = TableKeys.Date(c.FirstSignaaldatum),
        ["LastSignaaldatum"] = TableKeys.Date(c.LastSignaaldatum),
        ["SignalIds"] = string.Join(',', c.SignalIds),
        ["Revision"] = c.Revision,
        ["Priority"] = c.Priority?.ToString(),
        ["Score"] = c.Score,
        ["LastTaskId"] = c.LastTaskId,
        ["RepeatsWithoutTask"] = c.RepeatsWithoutTask,
        ["BelowMinimumAmount"] = c.BelowMinimumAmount,
        ["Resultaat"] = c.Resultaat,
        ["ClosedAt"] = c.ClosedAt,
        ["UpdatedAt"] = c.UpdatedAt,
        ["DueDate"] = c.DueDate is { } due ? TableKeys.Date(due) : null,
    };

    internal static HouseholdCase ToCase(TableEntity e) => new(
        e.RowKey[CasePrefix.Length..],
        e.GetInt32("Sequence") ?? 0,
        Enum.Parse<CaseStatus>(e.GetString("Status")),
        new AreaCodes(e.GetString("Gemeente"), e.GetString("Wijk"), e.GetString("Buurt")),
        e.GetDateTimeOffset("OpenedAt") ?? default,
        TableKeys.ParseDate(e.GetString("FirstSignaaldatum")),
        TableKeys.ParseDate(e.GetString("LastSignaaldatum")),
        (e.GetString("SignalIds") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
        e.GetInt32("Revision") ?? 0,
        e.GetString("Priority") is { } p ? Enum.Parse<Priority>(p) : null,
        e.GetInt32("Score"),
        e.GetString("LastTaskId"),
        e.GetInt32("RepeatsWithoutTask") ?? 0,
        e.GetInt32("BelowMinimumAmount") ?? 0,
        e.GetString("Resultaat"),
        e.GetDateTimeOffset("ClosedAt"),
        e.GetDateTimeOffset("UpdatedAt") ?? default,
        e.GetString("DueDate") is { } due ? TableKeys.ParseDate(due) : null);

    private static TableEntity ToEntity(string pk, OutreachTask t) => new(pk, TaskPrefix + t.TaskId)
    {
        ["CaseId"] = t.CaseId,
        ["Revision"] = t.Revision,
        ["Gemeente"] = t.Area.Gemeentecode,
        ["Wijk"] = t.Area.Wijkcode,
        ["Buurt"] = t.Area.Buurtcode,
        ["Team"] = t.Team,
        ["Priority"] = t.Priority.ToString(),
        ["Score"] = t.Score,
        ["Reasons"] = JsonSerializer.Serialize(t.Reasons.Select(r => new[] { r.Code, r.Text, r.Points.ToString(CultureInfo.InvariantCulture) }).ToArray(), TableJson.Default.StringArrayArray),
        ["Channel"] = t.Channel.ToString(),
        ["DueDate"] = TableKeys.Date(t.DueDate),
        ["PolicyVersion"] = t.PolicyVersion,
        ["CreatedAt"] = t.CreatedAt,
        ["EarliestSignalReceivedAt"] = t.EarliestSignalReceivedAt,
        ["SignalIds"] = string.Join(',', t.SignalIds),
    };

    internal static OutreachTask ToTask(TableEntity e) => new(
        e.RowKey[TaskPrefix.Length..],
        e.GetString("CaseId"),
        e.GetInt32("Revision") ?? 0,
        new AreaCodes(e.GetString("Gemeente"), e.GetString("Wijk"), e.GetString("Buurt")),
        e.GetString("Team"),
        Enum.Parse<Priority>(e.GetString("Priority")),
        e.GetInt32("Score") ?? 0,
        (JsonSerializer.Deserialize(e.GetString("Reasons") ?? "[]", TableJson.Default.StringArrayArray) ?? [])
            .Select(r => new TriageReason(r[0], r[1], int.Parse(r[2], CultureInfo.InvariantCulture))).ToList(),
        Enum.Parse<ContactChannel>(e.GetString("Channel")),
        TableKeys.ParseDate(e.GetString("DueDate")),
        e.GetString("PolicyVersion"),
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("EarliestSignalReceivedAt") ?? default,
        (e.GetString("SignalIds") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries));

    private static TableEntity ToEntity(string pk, OutboxEntry o) => new(pk, OutboxPrefix + o.TaskId)
    {
        ["CaseId"] = o.CaseId,
        ["Gemeente"] = o.Gemeentecode,
        ["Status"] = o.Status.ToString(),
        ["CreatedAt"] = o.CreatedAt,
        ["DispatchedAt"] = o.DispatchedAt,
        ["Attempts"] = o.Attempts,
        ["LastError"] = o.LastError,
        ["TraceParent"] = o.TraceParent,
        ["EarliestSignalReceivedAt"] = o.EarliestSignalReceivedAt,
        ["KeyId"] = o.Message.KeyId,
        ["Message"] = o.Message.Data,
        ["ClaimedAt"] = o.ClaimedAt,
    };

    internal static OutboxEntry ToOutbox(TableEntity e) => new(
        e.RowKey[OutboxPrefix.Length..],
        e.GetString("CaseId"),
        e.GetString("Gemeente"),
        Enum.Parse<OutboxStatus>(e.GetString("Status")),
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("DispatchedAt"),
        e.GetInt32("Attempts") ?? 0,
        e.GetString("LastError"),
        e.GetString("TraceParent"),
        e.GetDateTimeOffset("EarliestSignalReceivedAt") ?? default,
        new ProtectedPayload(e.GetString("KeyId"), e.GetBinary("Message")),
        e.GetDateTimeOffset("ClaimedAt"));
}
