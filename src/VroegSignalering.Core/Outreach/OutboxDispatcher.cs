using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;

namespace VroegSignalering.Core.Outreach;

/// <summary>What one dispatch call did.</summary>
public sealed record DispatchSummary(int Sent, int AlreadySent, int FailedPermanently, int FailedTransiently, int Dangling)
{
    public static readonly DispatchSummary Empty = new(0, 0, 0, 0, 0);

    public DispatchSummary Add(DispatchSummary other) => new(
        Sent + other.Sent, AlreadySent + other.AlreadySent, FailedPermanently + other.FailedPermanently,
        FailedTransiently + other.FailedTransiently, Dangling + other.Dangling);
}

/// <summary>Which failed outbox rows a retry takes: all, one gemeente's, or one task.</summary>
public sealed record OutboxRetryFilter(string? Gemeentecode = null, string? TaskId = null)
{
    public static readonly OutboxRetryFilter All = new();

    public bool Matches(OutboxPointer pointer) =>
        (Gemeentecode is null || string.Equals(pointer.Gemeentecode, Gemeentecode, StringComparison.Ordinal)) &&
        (TaskId is null || string.Equals(pointer.TaskId, TaskId, StringComparison.Ordinal));
}

/// <summary>A failed row a retry selected: ids, attempts and the broker's reason, never the task's content.</summary>
public sealed record FailedOutboxRow(string TaskId, string Gemeentecode, int Attempts, string? LastError, DateTimeOffset CreatedAt);

/// <summary>What a retry selected and, unless it was a dry run, what sending them again did.</summary>
public sealed record OutboxRetryResult(IReadOnlyList<FailedOutboxRow> Rows, DispatchSummary Summary);

/// <summary>
/// Sends outbox rows to the broker and records the result on the row. A row already sent is skipped
/// (replays and concurrent dispatchers send nothing new); the broker deduplicates a resend by MessageId
/// should a crash fall between send and record. Permanent failures are marked with their reason and
/// wait for an operator (<see cref="RetryFailedAsync"/>); transient ones stay pending for the sweeper.
/// </summary>
public sealed partial class OutboxDispatcher(
    IHouseholdStore store,
    IOutboxIndex index,
    IOutreachTransport transport,
    IPersonalDataProtector protector,
    IOptions<OutreachOptions> options,
    TimeProvider time,
    VroegTelemetry telemetry,
    ILogger<OutboxDispatcher> logger)
{
    private const int MaxRecordAttempts = 5;

    public async Task<DispatchSummary> DispatchAsync(IReadOnlyList<OutboxPointer> pointers, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Dispatch);
        var pending = new List<(OutboxPointer Pointer, Versioned<OutboxEntry> Entry, Versioned<HouseholdCase>? Case, OutboundMessage Message)>();
        var summary = DispatchSummary.Empty;

        // Pointers whose rows are settled are removed from the index together, at the end.
        var settled = new List<OutboxPointer>();
        foreach (var pointer in pointers.DistinctBy(p => (p.HouseholdKey, p.TaskId)))
        {
            // The row and its case in one read: the case moves to TaskDispatched with the row, in one transaction.
            var (entry, caseRead) = await store.GetOutboxWithCaseAsync(pointer.HouseholdKey, pointer.TaskId, cancellationToken);
            if (entry is null)
            {
                // No row behind the pointer (it was removed since); once the pointer is clearly stale, drop it.
                if (pointer.CreatedAt < time.GetUtcNow() - options.Value.SweepAfter)
                {
                    settled.Add(pointer);
                    summary = summary.Add(new DispatchSummary(0, 0, 0, 0, 1));
                }

                continue;
            }

            if (entry.Value.Status != OutboxStatus.Pending)
            {
                settled.Add(pointer);
                summary = summary.Add(new DispatchSummary(0, 1, 0, 0, 0));
                continue;
            }

            // Claim the row so that concurrent dispatchers (a replayed message, the sweeper) do not send it too.
            var now = time.GetUtcNow();
            if (entry.Value.ClaimedAt is { } claimed && now - claimed < options.Value.ClaimLease)
            {
                summary = summary.Add(new DispatchSummary(0, 1, 0, 0, 0));
                continue;
            }

            var claim = await store.ClaimOutboxAsync(pointer.HouseholdKey, entry, now, cancellationToken);
            if (claim is null)
            {
                summary = summary.Add(new DispatchSummary(0, 1, 0, 0, 0));
                continue;
            }

            entry = claim;
            var message = JsonSerializer.Deserialize(
                protector.Unprotect(entry.Value.Message, ProtectionContexts.Outbox(entry.Value.TaskId)), CoreJson.Default.OutboundMessage)!;
            pending.Add((pointer, entry, caseRead, message));
        }

        if (pending.Count == 0)
        {
            await index.RemoveManyAsync(settled, OutboxIndexState.Pending, cancellationToken);
            return summary;
        }

        using var activity = VroegTelemetry.StartFromTraceParent("dispatch.publish", pending[0].Entry.Value.TraceParent, System.Diagnostics.ActivityKind.Producer);
        activity?.SetTag("vroeg.messages", pending.Count);
        var outcomes = await transport.PublishAsync(pending.Select(p => p.Message).ToList(), cancellationToken);
        for (var i = 0; i < pending.Count; i++)
        {
            var (pointer, entry, caseRead, _) = pending[i];
            var outcome = outcomes[i];
            var recorded = await RecordAsync(pointer, entry, caseRead, outcome, cancellationToken);
            summary = summary.Add(recorded);
            if (recorded.FailedTransiently == 0)
            {
                settled.Add(pointer);
            }
        }

        await index.RemoveManyAsync(settled, OutboxIndexState.Pending, cancellationToken);

        LogDispatched(logger, pointers.Count, summary.Sent, summary.AlreadySent, summary.FailedPermanently, summary.FailedTransiently);
        return summary;
    }

    /// <summary>The sweeper: sends pending rows the happy path left behind (older than SweepAfter).</summary>
    public async Task<DispatchSummary> SweepAsync(CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Dispatch);
        var cutoff = time.GetUtcNow() - options.Value.SweepAfter;
        var summary = DispatchSummary.Empty;
        var batch = new List<OutboxPointer>();
        await foreach (var pointer in index.ListAsync(OutboxIndexState.Pending, cutoff, cancellationToken))
        {
            batch.Add(pointer);
            if (batch.Count == 100)
            {
                summary = summary.Add(await DispatchAsync(batch, cancellationToken));
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            summary = summary.Add(await DispatchAsync(batch, cancellationToken));
        }

        if (summary != DispatchSummary.Empty)
        {
            LogSwept(logger, summary.Sent, summary.AlreadySent, summary.FailedPermanently, summary.FailedTransiently, summary.Dangling);
        }

        return summary;
    }

    /// <summary>Re-drives every row that failed permanently, after the cause was fixed.</summary>
    public async Task<DispatchSummary> RetryFailedAsync(CancellationToken cancellationToken) =>
        (await RetryFailedAsync(OutboxRetryFilter.All, dryRun: false, cancellationToken)).Summary;

    /// <summary>
    /// Re-drives the failed rows the filter selects (vroeg outbox retry, or the operator endpoint), after the
    /// cause was fixed. A dry run lists them and changes nothing; otherwise each row is reset to pending and
    /// sent at once. Rows the filter leaves out keep their failed state and index entry.
    /// </summary>
    public async Task<OutboxRetryResult> RetryFailedAsync(OutboxRetryFilter filter, bool dryRun, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Dispatch);
        var pointers = new List<OutboxPointer>();
        var rows = new List<FailedOutboxRow>();
        await foreach (var pointer in index.ListAsync(OutboxIndexState.Failed, DateTimeOffset.MaxValue, cancellationToken))
        {
            if (!filter.Matches(pointer))
            {
                continue;
            }

            var entry = await store.GetOutboxAsync(pointer.HouseholdKey, pointer.TaskId, cancellationToken);
            if (entry is { Value.Status: OutboxStatus.Failed } failed)
            {
                var row = failed.Value;
                rows.Add(new FailedOutboxRow(row.TaskId, row.Gemeentecode, row.Attempts, row.LastError, row.CreatedAt));
                if (!dryRun && await store.ResetOutboxAsync(pointer.HouseholdKey, failed, cancellationToken))
                {
                    await index.AddAsync(pointer, OutboxIndexState.Pending, cancellationToken);
                    pointers.Add(pointer);
                }
            }

            if (!dryRun)
            {
                await index.RemoveAsync(pointer, OutboxIndexState.Failed, cancellationToken);
            }
        }

        var summary = dryRun ? DispatchSummary.Empty : await DispatchAsync(pointers, cancellationToken);
        return new OutboxRetryResult(rows, summary);
    }

    // The caller removes the row's pending pointer unless the result is "failed transiently".
    private async Task<DispatchSummary> RecordAsync(OutboxPointer pointer, Versioned<OutboxEntry> entry, Versioned<HouseholdCase>? caseRead, PublishOutcome outcome, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        for (var attempt = 0; attempt < MaxRecordAttempts; attempt++)
        {
            var row = entry.Value;
            if (row.Status != OutboxStatus.Pending)
            {
                return new DispatchSummary(0, 1, 0, 0, 0);
            }

            // The case read with the row serves the first attempt; after a conflict it is read again.
            var snapshotCase = outcome.Status != PublishStatus.Sent ? null
                : attempt == 0 && caseRead?.Value.CaseId == row.CaseId ? caseRead
                : await store.GetCaseAsync(pointer.HouseholdKey, row.CaseId, cancellationToken);
            OutboxEntry updated;
            HouseholdCase? caseUpdated = null;
            switch (outcome.Status)
            {
                case PublishStatus.Sent:
                    updated = row with { Status = OutboxStatus.Dispatched, DispatchedAt = now, Attempts = row.Attempts + 1, LastError = null };
                    if (snapshotCase is { } c && c.Value.LastTaskId == row.TaskId && CaseLifecycle.CanMove(c.Value.Status, CaseStatus.TaskDispatched))
                    {
                        caseUpdated = c.Value.MoveTo(CaseStatus.TaskDispatched, now);
                    }

                    break;
                case PublishStatus.FailedPermanently:
                    updated = row with { Status = OutboxStatus.Failed, Attempts = row.Attempts + 1, LastError = outcome.Reason };
                    break;
                default:
                    // Release the claim so the next sweep may try again at once.
                    updated = row with { Attempts = row.Attempts + 1, LastError = outcome.Reason, ClaimedAt = null };
                    break;
            }

            var caseMove = caseUpdated is null || snapshotCase is null ? null : new CaseMove(snapshotCase, caseUpdated);
            if (outcome.Status == PublishStatus.FailedPermanently)
            {
                await index.AddAsync(pointer, OutboxIndexState.Failed, cancellationToken);
            }

            if (await store.RecordOutboxAsync(pointer.HouseholdKey, entry, updated, caseMove, cancellationToken))
            {
                switch (outcome.Status)
                {
                    case PublishStatus.Sent:
                        telemetry.TasksDispatched.Add(1, new KeyValuePair<string, object?>("gemeentecode", row.Gemeentecode));
                        telemetry.SignalToTask.Record((now - row.EarliestSignalReceivedAt).TotalSeconds, new KeyValuePair<string, object?>("gemeentecode", row.Gemeentecode));
                        return new DispatchSummary(1, 0, 0, 0, 0);
                    case PublishStatus.FailedPermanently:
                        telemetry.OutboxMarkedFailed.Add(1, new KeyValuePair<string, object?>("reason", ReasonCode(outcome.Reason)));
                        LogFailed(logger, row.TaskId, outcome.Reason ?? "unknown");
                        return new DispatchSummary(0, 0, 1, 0, 0);
                    default:
                        LogTransient(logger, row.TaskId, outcome.Reason ?? "unknown");
                        return new DispatchSummary(0, 0, 0, 1, 0);
                }
            }

            var reread = await store.GetOutboxAsync(pointer.HouseholdKey, pointer.TaskId, cancellationToken);
            if (reread is null)
            {
                break;
            }

            entry = reread;
        }

        return new DispatchSummary(0, 0, 0, 1, 0);
    }

    private static string ReasonCode(string? reason) =>
        reason is null ? "unknown" : reason.Split(' ', 2)[0].ToLowerInvariant();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} failed permanently: {Reason}; re-drive with `vroeg outbox retry` once the cause is fixed")]
    private static partial void LogFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatched {Tasks} announced task(s): {Sent} sent, {AlreadySent} already sent, {FailedPermanently} failed, {FailedTransiently} to retry")]
    private static partial void LogDispatched(ILogger logger, int tasks, int sent, int alreadySent, int failedPermanently, int failedTransiently);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox sweep: {Sent} sent, {AlreadySent} already sent, {FailedPermanently} failed, {FailedTransiently} to retry, {Dangling} dangling pointers removed")]
    private static partial void LogSwept(ILogger logger, int sent, int alreadySent, int failedPermanently, int failedTransiently, int dangling);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} not sent yet ({Reason}); the sweeper will try again")]
    private static partial void LogTransient(ILogger logger, string taskId, string reason);
}
