using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Retention;

namespace VroegSignalering.Azure.Retention;

/// <summary>
/// Deletes what is past its term (<see cref="RetentionPlanner"/>, <see cref="RetentionOptions"/>) and keeps what it counted
/// (<see cref="RetainedAggregateTable"/>). Crash-safe and idempotent by a marker: for a household, the step (its counts, the
/// rows to delete) is first written as a marker row <c>r|purge</c> in the household's own partition; then the counts are
/// written under the marker's id, then the rows are deleted, the marker last. A run that finds a marker finishes that step:
/// writing the counts again under the same id replaces, never adds, and rows already gone are skipped. Rows outside household
/// partitions (quarantine, feedback) carry the marker id as a column instead. A dry run only reads.
/// </summary>
public sealed partial class RetentionPurger(
    StorageClients storage,
    TableSet tables,
    RetainedAggregateTable aggregates,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionPurger> logger)
{
    private const string MarkerKey = "r|purge";

    /// <summary>Finds (and unless <paramref name="dryRun"/>, purges) everything past its term; <paramref name="progress"/> hears after each table.</summary>
    public async Task<RetentionSummary> RunAsync(bool dryRun, Func<string, Task>? progress, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var terms = options.Value;
        var summary = new RetentionSummary { DryRun = dryRun, At = now };
        var done = 0;
        foreach (var name in tables.Names.AllHouseholdTables)
        {
            var rows = await ReadAllAsync(name, cancellationToken);
            foreach (var household in rows.GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
            {
                var entities = household.ToList();
                if (entities.FirstOrDefault(e => e.RowKey == MarkerKey) is { } marker)
                {
                    if (!dryRun)
                    {
                        await FinishAsync(name, marker, cancellationToken);
                        summary.Resumed++;
                    }

                    continue;
                }

                var plan = RetentionPlanner.PlanHousehold(Map(household.Key, entities), terms, now);
                foreach (var due in plan.Due)
                {
                    summary.Add(due);
                }

                if (!dryRun && !plan.IsEmpty)
                {
                    await PurgeAsync(name, household.Key, plan, entities, now, cancellationToken);
                }
            }

            if (++done % 32 == 0 && progress is not null)
            {
                await progress($"households: {done}/256 tables, {summary.Total} record(s) {(dryRun ? "due" : "purged")} so far");
            }
        }

        await PurgeQuarantineAsync(summary, terms, now, dryRun, cancellationToken);
        await PurgeFeedbackAsync(summary, terms, now, dryRun, cancellationToken);
        await PurgeClaimsAsync(summary, terms, now, dryRun, cancellationToken);
        if (progress is not null)
        {
            await progress($"done: {summary.Total} record(s) {(dryRun ? "due" : "purged")}");
        }

        LogRun(logger, dryRun, summary.Total, summary.Resumed);
        return summary;
    }

    private async Task PurgeAsync(string tableName, string householdKey, HouseholdPurge plan, IReadOnlyList<TableEntity> entities, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var delete = plan.SignalIds.Select(id => "s|" + id)
            .Concat(plan.CaseIds.SelectMany(id => new[] { "c|" + id, "u|" + id }))
            .Concat(plan.TaskIds.SelectMany(id => new[] { "t|" + id, "o|" + id }))
            .Concat(plan.Attempts.Select(a => $"p|{a.CaseId}|{a.AttemptId}"))
            .Where(rk => entities.Any(e => e.RowKey == rk))
            .ToList();
        // Rows this version does not know (a later feature's) keep the partition, and so the head.
        if (plan.DeleteHead && entities.All(e => e.RowKey == "h" || delete.Contains(e.RowKey)))
        {
            delete.Add("h");
        }

        var marker = new TableEntity(householdKey, MarkerKey)
        {
            ["Id"] = Guid.NewGuid().ToString("N"),
            ["At"] = now,
            ["Counts"] = RetainedAggregateTable.Serialize(plan.Counts),
            ["Delete"] = JsonSerializer.Serialize(delete.ToArray(), TableJson.Default.StringArray),
            ["Strip"] = JsonSerializer.Serialize(plan.OutboxMessages.Select(id => "o|" + id).ToArray(), TableJson.Default.StringArray),
            ["Index"] = JsonSerializer.Serialize(IndexRows(householdKey, delete, entities), TableJson.Default.StringArray),
        };
        var table = await tables.GetAsync(tableName, cancellationToken);
        try
        {
            await table.AddEntityAsync(marker, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return; // another run is at this household; it finishes the step
        }

        await FinishAsync(tableName, marker, cancellationToken);
    }

    // Counts first, under the marker's id (a replace on a rerun); then the index pointers to the outbox rows that go, then
    // the deletes, the marker last. Pointers before rows: a pointer whose row is still there for a moment is harmless
    // (the row goes in this step, resumed by the next run if this one stops), a row gone under a pointer left behind is not.
    private async Task FinishAsync(string tableName, TableEntity marker, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken);
        var counts = RetainedAggregateTable.Deserialize(marker.GetString("Counts"));
        if (!counts.IsEmpty)
        {
            await aggregates.WriteAsync(marker.GetString("Id"), marker.GetDateTimeOffset("At") ?? time.GetUtcNow(), counts, cancellationToken);
        }

        var index = JsonSerializer.Deserialize(marker.GetString("Index") ?? "[]", TableJson.Default.StringArray) ?? [];
        if (index.Length > 0)
        {
            var indexTable = await tables.GetAsync(tables.Names.OutboxIndex, cancellationToken);
            foreach (var location in index)
            {
                var slash = location.IndexOf('/', StringComparison.Ordinal);
                await DeleteAsync(indexTable, location[..slash], location[(slash + 1)..], cancellationToken);
            }
        }

        foreach (var rk in JsonSerializer.Deserialize(marker.GetString("Strip") ?? "[]", TableJson.Default.StringArray) ?? [])
        {
            try
            {
                await table.UpdateEntityAsync(new TableEntity(marker.PartitionKey, rk) { ["Message"] = Array.Empty<byte>() }, ETag.All, TableUpdateMode.Merge, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // the row went with its case meanwhile
            }
        }

        foreach (var rk in (JsonSerializer.Deserialize(marker.GetString("Delete") ?? "[]", TableJson.Default.StringArray) ?? []).Append(MarkerKey))
        {
            await DeleteAsync(table, marker.PartitionKey, rk, cancellationToken);
        }
    }

    private async Task PurgeQuarantineAsync(RetentionSummary summary, RetentionOptions terms, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken)
    {
        foreach (var e in await ReadAllAsync(tables.Names.Quarantine, cancellationToken))
        {
            var at = e.GetDateTimeOffset("QuarantinedAt") ?? default;
            if (!terms.Due(RetentionKind.QuarantinedSignal, null, at, now))
            {
                continue;
            }

            summary.Add(new DueRecord(RetentionKind.QuarantinedSignal, now - at));
            if (!dryRun)
            {
                var counts = new RetainedCounts();
                counts.Add("quarantine|" + e.GetString("ReasonCode"));
                await PurgeRowAsync(tables.Names.Quarantine, e, counts, now, cancellationToken);
            }
        }
    }

    private async Task PurgeFeedbackAsync(RetentionSummary summary, RetentionOptions terms, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken)
    {
        foreach (var e in await ReadAllAsync(tables.Names.Feedback, cancellationToken))
        {
            var item = e.RowKey.StartsWith("f|", StringComparison.Ordinal);
            DateTimeOffset? at = item && e.GetString("Datum") is { } d
                ? new DateTimeOffset(TableKeys.ParseDate(d).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                : e.GetDateTimeOffset("CreatedAt");
            if (at is not { } since || !terms.Due(RetentionKind.CreditorFeedback, null, since, now))
            {
                continue;
            }

            summary.Add(new DueRecord(RetentionKind.CreditorFeedback, now - since));
            if (!dryRun)
            {
                var counts = new RetainedCounts();
                if (item)
                {
                    counts.AddFeedback(Uri.UnescapeDataString(e.PartitionKey));
                }

                await PurgeRowAsync(tables.Names.Feedback, e, counts, now, cancellationToken);
            }
        }
    }

    private async Task PurgeClaimsAsync(RetentionSummary summary, RetentionOptions terms, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken)
    {
        foreach (var e in await ReadAllAsync(tables.Names.SignalReferences, cancellationToken))
        {
            // A claim has no date of its own: its last write (the claim, or a transfer to a new receipt) starts the term.
            if (e.Timestamp is not { } at || !terms.Due(RetentionKind.ReferenceClaim, null, at, now))
            {
                continue;
            }

            summary.Add(new DueRecord(RetentionKind.ReferenceClaim, now - at));
            if (!dryRun)
            {
                await DeleteAsync(await tables.GetAsync(tables.Names.SignalReferences, cancellationToken), e.PartitionKey, e.RowKey, cancellationToken);
            }
        }
    }

    // A row outside the household partitions: the marker id goes on the row itself (If-Match), then the counts, then the delete.
    private async Task PurgeRowAsync(string tableName, TableEntity row, RetainedCounts counts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken);
        var id = row.GetString("RetentionId");
        if (id is null && !counts.IsEmpty)
        {
            id = Guid.NewGuid().ToString("N");
            try
            {
                await table.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { ["RetentionId"] = id }, row.ETag, TableUpdateMode.Merge, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                return; // changed or gone meanwhile: the next run decides again
            }
        }

        if (id is not null && !counts.IsEmpty)
        {
            await aggregates.WriteAsync(id, now, counts, cancellationToken);
        }

        await DeleteAsync(table, row.PartitionKey, row.RowKey, cancellationToken);
    }

    private static async Task DeleteAsync(TableClient table, string pk, string rk, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(pk, rk, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // gone already: a rerun of a step that stopped half way
        }
    }

    // Reads without creating: a dry run on fresh storage must not create tables.
    private async Task<List<TableEntity>> ReadAllAsync(string tableName, CancellationToken cancellationToken)
    {
        var list = new List<TableEntity>();
        try
        {
            await foreach (var e in storage.Tables.GetTableClient(tableName).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
            {
                list.Add(e);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // the table was never created: nothing of this kind was ever stored
        }

        return list;
    }

    // The outbox index rows (pending and failed) that point at the outbox rows this step deletes, as "partition/row key"
    // ('/' is not allowed in table keys). A failed pointer left behind would keep the failed-dispatch gauge and its alert up
    // until an operator retried a task that no longer exists; a pending one the sweeper would drop, but only after a read.
    private static string[] IndexRows(string householdKey, IReadOnlyList<string> delete, IReadOnlyList<TableEntity> entities) =>
        entities
            .Where(e => e.RowKey.StartsWith("o|", StringComparison.Ordinal) && delete.Contains(e.RowKey))
            .Select(HouseholdTableStore.ToOutbox)
            .SelectMany(o => OutboxIndexTable.Locations(new OutboxPointer(householdKey, o.TaskId, o.Gemeentecode, o.CreatedAt)))
            .Select(l => l.Partition + "/" + l.RowKey)
            .ToArray();

    private static HouseholdRows Map(string householdKey, IReadOnlyList<TableEntity> entities)
    {
        List<TableEntity> Of(string prefix) => entities.Where(e => e.RowKey.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        return new HouseholdRows(
            householdKey,
            entities.Any(e => e.RowKey == "h"),
            Of("s|").Select(HouseholdTableStore.ToSignal).ToList(),
            Of("c|").Select(HouseholdTableStore.ToCase).ToList(),
            Of("t|").Select(HouseholdTableStore.ToTask).ToList(),
            Of("o|").Select(HouseholdTableStore.ToOutbox).ToList(),
            Of("p|").Select(OutcomeTableStore.ToAttempt).ToList(),
            Of("u|").Select(OutcomeTableStore.ToOutcome).ToList());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention run (dry run {DryRun}): {Records} record(s) past their term, {Resumed} household step(s) resumed")]
    private static partial void LogRun(ILogger logger, bool dryRun, int records, int resumed);
}
