using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// The outcome rows in the household partitions: attempts <c>p|caseId|id</c> and the case's outcome <c>u|caseId</c>,
/// beside the case row <c>c|caseId</c> whose status they move (a merge of the status columns only, so triage's
/// columns are never written here). A task is found without personal data and without an index: its id carries
/// the first 20 hex digits of the household key (80 bits), which name the table shard and a partition range
/// holding, in practice, that one household.
/// </summary>
public sealed class OutcomeTableStore(TableSet tables) : IOutcomeStore
{
    private const string TaskPrefix = "t|";
    private const string CasePrefix = "c|";
    private const string OutcomePrefix = "u|";
    private const string AttemptPrefix = "p|";

    public async Task<OutcomeTarget?> FindAsync(string taskId, string? attemptId, CancellationToken cancellationToken)
    {
        if (!OutcomeIds.TryParseTaskId(taskId, out var prefix, out var caseId))
        {
            return null;
        }

        var table = await tables.GetAsync(tables.Names.Households(prefix), cancellationToken);

        // Household keys are lower-case hex, so every key starting with the prefix sorts below prefix + 'g'.
        var upper = prefix + "g";
        var taskKey = TaskPrefix + taskId;
        var caseKey = CasePrefix + caseId;
        var outcomeKey = OutcomePrefix + caseId;
        var attemptKey = attemptId is null ? null : AttemptKey(caseId, attemptId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {upper} and (RowKey eq {taskKey} or RowKey eq {caseKey} or RowKey eq {outcomeKey} or RowKey eq {attemptKey ?? taskKey})");
        var rows = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(e);
        }

        // Two households sharing 80 bits of a keyed hash would share task ids; refuse rather than guess.
        var task = rows.Where(r => r.RowKey == taskKey).ToList();
        if (task.Count != 1)
        {
            return null;
        }

        var household = task[0].PartitionKey;
        var mine = rows.Where(r => r.PartitionKey == household).ToList();
        var @case = mine.SingleOrDefault(r => r.RowKey == caseKey);
        if (@case is null)
        {
            return null;
        }

        var outcome = mine.SingleOrDefault(r => r.RowKey == outcomeKey);
        var attempt = attemptKey is null ? null : mine.SingleOrDefault(r => r.RowKey == attemptKey);
        return new OutcomeTarget(
            household,
            ToTask(task[0]),
            new Versioned<CaseState>(ToCase(@case), @case.ETag.ToString()),
            outcome is null ? null : new Versioned<CaseOutcome>(ToOutcome(outcome), outcome.ETag.ToString()),
            attempt is null ? null : ToAttempt(attempt));
    }

    public async Task<IReadOnlyList<ContactAttempt>> ListAttemptsAsync(string householdKey, string caseId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Households(householdKey), cancellationToken);
        var from = AttemptPrefix + caseId + "|";
        var to = AttemptPrefix + caseId + "}";
        var list = new List<ContactAttempt>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {householdKey} and RowKey ge {from} and RowKey lt {to}"), cancellationToken: cancellationToken))
        {
            list.Add(ToAttempt(e));
        }

        return list.OrderBy(a => a.Datum).ThenBy(a => a.RecordedAt).ToList();
    }

    public async Task<CaseOutcome?> GetOutcomeAsync(string householdKey, string caseId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Households(householdKey), cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(householdKey, OutcomePrefix + caseId, cancellationToken: cancellationToken);
        return response.HasValue ? ToOutcome(response.Value!) : null;
    }

    public async Task<CaseState?> GetCaseAsync(string householdKey, string caseId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Households(householdKey), cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(householdKey, CasePrefix + caseId, select: ["RowKey", "Status", "Resultaat", "ClosedAt", "SignalIds"], cancellationToken: cancellationToken);
        return response.HasValue ? ToCase(response.Value!) : null;
    }

    public async Task<IReadOnlyList<SignalOwner>> SignalOwnersAsync(string householdKey, IReadOnlyList<string> signalIds, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Households(householdKey), cancellationToken);
        var wanted = signalIds.ToHashSet(StringComparer.Ordinal);
        var owners = new List<SignalOwner>();

        // Only the two columns feedback needs: the signal's personal data is never read here.
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {householdKey} and RowKey ge {"s|"} and RowKey lt {"s}"}"), select: ["RowKey", "CreditorId", "Referentie"], cancellationToken: cancellationToken))
        {
            if (wanted.Contains(e.RowKey[2..]))
            {
                owners.Add(new SignalOwner(e.RowKey[2..], e.GetString("CreditorId"), e.GetString("Referentie")));
            }
        }

        return owners;
    }

    public async Task<bool> CommitAsync(string householdKey, OutcomeCommit commit, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Households(householdKey), cancellationToken);
        var after = commit.CaseAfter;
        var caseColumns = new TableEntity(householdKey, CasePrefix + after.CaseId)
        {
            ["Status"] = after.Status.ToString(),
            ["UpdatedAt"] = commit.Outcome.UpdatedAt,
        };
        if (after.Resultaat is not null)
        {
            caseColumns["Resultaat"] = after.Resultaat;
            caseColumns["ClosedAt"] = after.ClosedAt;
        }

        var outcome = ToEntity(householdKey, commit.Outcome);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpdateMerge, caseColumns, new ETag(commit.CaseBefore.Version)),
            commit.OutcomeVersion is null
                ? new(TableTransactionActionType.Add, outcome)
                : new(TableTransactionActionType.UpdateReplace, outcome, new ETag(commit.OutcomeVersion)),
        };
        if (commit.NewAttempt is { } attempt)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, ToEntity(householdKey, attempt)));
        }

        try
        {
            await table.SubmitCountedAsync(actions, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            // a transaction failure (TableTransactionFailedException) included: another writer came first
            return false;
        }
    }

    /// <summary>Every case outcome in the table (reporting and escalation; a full scan).</summary>
    public IAsyncEnumerable<(string HouseholdKey, CaseOutcome Outcome)> ScanOutcomesAsync(CancellationToken cancellationToken) =>
        tables.ScanHouseholdRowsAsync(OutcomePrefix, ToOutcome, null, cancellationToken);

    /// <summary>Every contact attempt row in the household tables (reporting and DDAS counts; a full scan).</summary>
    public IAsyncEnumerable<(string HouseholdKey, ContactAttempt Attempt)> ScanAttemptsAsync(CancellationToken cancellationToken) =>
        tables.ScanHouseholdRowsAsync(AttemptPrefix, ToAttempt, null, cancellationToken);

    private static string AttemptKey(string caseId, string attemptId) => AttemptPrefix + caseId + "|" + attemptId;

    private static TaskRef ToTask(TableEntity e) => new(
        e.RowKey[TaskPrefix.Length..],
        e.GetString("CaseId"),
        e.GetString("Gemeente"),
        e.GetDateTimeOffset("CreatedAt") ?? default,
        TableKeys.ParseDate(e.GetString("DueDate")));

    private static CaseState ToCase(TableEntity e) => new(
        e.RowKey[CasePrefix.Length..],
        Enum.Parse<CaseStatus>(e.GetString("Status")),
        e.GetString("Resultaat"),
        e.GetDateTimeOffset("ClosedAt"),
        (e.GetString("SignalIds") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries));

    private static TableEntity ToEntity(string pk, CaseOutcome o) => new(pk, OutcomePrefix + o.CaseId)
    {
        ["Gemeente"] = o.Gemeentecode,
        ["Attempts"] = o.Attempts,
        ["FirstAttemptAt"] = o.FirstAttemptAt,
        ["FirstAttemptDatum"] = o.FirstAttemptDatum is { } f ? TableKeys.Date(f) : null,
        ["ReachedAt"] = o.ReachedAt,
        ["ReachedDatum"] = o.ReachedDatum is { } r ? TableKeys.Date(r) : null,
        ["ReachedSoort"] = o.ReachedSoort,
        ["HelpAccepted"] = o.HelpAccepted,
        ["HelpDatum"] = o.HelpDatum is { } h ? TableKeys.Date(h) : null,
        ["HelpRecordedAt"] = o.HelpRecordedAt,
        ["Resultaat"] = o.Resultaat,
        ["ClosedAt"] = o.ClosedAt,
        ["UpdatedAt"] = o.UpdatedAt,
    };

    internal static CaseOutcome ToOutcome(TableEntity e) => new(
        e.RowKey[OutcomePrefix.Length..],
        e.GetString("Gemeente"),
        e.GetInt32("Attempts") ?? 0,
        e.GetDateTimeOffset("FirstAttemptAt"),
        e.GetString("FirstAttemptDatum") is { } f ? TableKeys.ParseDate(f) : null,
        e.GetDateTimeOffset("ReachedAt"),
        e.GetString("ReachedDatum") is { } r ? TableKeys.ParseDate(r) : null,
        e.GetString("ReachedSoort"),
        e.GetBoolean("HelpAccepted"),
        e.GetString("HelpDatum") is { } h ? TableKeys.ParseDate(h) : null,
        e.GetDateTimeOffset("HelpRecordedAt"),
        e.GetString("Resultaat"),
        e.GetDateTimeOffset("ClosedAt"),
        e.GetDateTimeOffset("UpdatedAt") ?? default);

    private static TableEntity ToEntity(string pk, ContactAttempt a) => new(pk, AttemptKey(a.CaseId, a.Id))
    {
        ["CaseId"] = a.CaseId,
        ["TaskId"] = a.TaskId,
        ["Soort"] = a.Soort,
        ["Bereikt"] = a.Bereikt,
        ["Datum"] = TableKeys.Date(a.Datum),
        ["Dagdeel"] = a.Dagdeel,
        ["TeamId"] = a.TeamId,
        ["RecordedAt"] = a.RecordedAt,
    };

    internal static ContactAttempt ToAttempt(TableEntity e) => new(
        e.RowKey[(e.RowKey.LastIndexOf('|') + 1)..],
        e.GetString("CaseId"),
        e.GetString("TaskId"),
        e.GetString("Soort"),
        e.GetBoolean("Bereikt") ?? false,
        TableKeys.ParseDate(e.GetString("Datum")),
        e.GetString("Dagdeel"),
        e.GetString("TeamId"),
        e.GetDateTimeOffset("RecordedAt") ?? default);
}
