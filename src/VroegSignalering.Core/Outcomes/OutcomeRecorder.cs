using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Outcomes;

/// <summary>What an outcome request came to.</summary>
public abstract record OutcomeResult<T>
{
    private OutcomeResult()
    {
    }

    /// <summary>Recorded now, or recorded before by the same request (a replay): the same answer either way.</summary>
    public sealed record Done(T Value) : OutcomeResult<T>;

    /// <summary>No such task for this team's gemeente: an unknown task and another gemeente's look the same.</summary>
    public sealed record NotFound : OutcomeResult<T>;

    /// <summary>Well formed, but wrong for this task (an attempt dated before the task); nothing stored.</summary>
    public sealed record Invalid(IReadOnlyList<RowError> Errors) : OutcomeResult<T>;

    /// <summary>The case cannot take this step, or the id was used for another request; nothing stored.</summary>
    public sealed record Conflict(string Field, string Code, string Message) : OutcomeResult<T>;

    /// <summary>Other writers kept changing the household; nothing stored, the request may be sent again.</summary>
    public sealed record Busy : OutcomeResult<T>;
}

public sealed record HelpDecisionRecord(string TaskId, string CaseId, bool Aanvaard, DateOnly Datum, DateTimeOffset RecordedAt);

public sealed record CaseClosingRecord(string TaskId, string CaseId, string Resultaat, DateTimeOffset ClosedAt);

/// <summary>A task as its team sees it: the case's status and the outcomes recorded so far.</summary>
public sealed record TaskOutcomeView(string TaskId, string CaseId, string Gemeentecode, DateOnly DueDate, CaseStatus Status, IReadOnlyList<ContactAttempt> Attempts, CaseOutcome? Outcome);

/// <summary>
/// Records a team's outcomes on its tasks. Each step reads the task, its case and the case's outcome in one
/// request, checks the move with <see cref="CaseLifecycle"/>, and writes the outcome and the case's new status in
/// one entity-group transaction guarded by both versions; a conflict re-reads and decides again, so a replay
/// that races its original still finds the original's row and answers the same.
/// </summary>
public sealed class OutcomeRecorder(IOutcomeStore store, IFeedbackStore feedback, TimeProvider time)
{
    private const int MaxTries = 5;

    public async Task<OutcomeResult<ContactAttempt>> RecordAttemptAsync(string gemeentecode, string teamId, string taskId, ContactAttemptInput input, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Outcomes);
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var target = await FindAsync(gemeentecode, taskId, input.Id, cancellationToken);
            if (target is null)
            {
                return new OutcomeResult<ContactAttempt>.NotFound();
            }

            if (target.Attempt is { } existing)
            {
                return existing.SameRequest(taskId, input)
                    ? new OutcomeResult<ContactAttempt>.Done(existing)
                    : new OutcomeResult<ContactAttempt>.Conflict("id", OutcomeErrorCodes.AttemptConflict, $"contactpoging '{input.Id}' was recorded before with other values; send a new id for a new attempt");
            }

            if (OutcomeValidator.BeforeTask(input.Datum, target.Task) is { } early)
            {
                return new OutcomeResult<ContactAttempt>.Invalid([early]);
            }

            var status = target.Case.Value.Status;
            if (status == CaseStatus.Closed)
            {
                return Closed<ContactAttempt>(target, "id");
            }

            // An attempt that does not reach a household already reached leaves it reached.
            var to = input.Bereikt || status == CaseStatus.Reached ? CaseStatus.Reached : CaseStatus.ContactAttempted;
            if (!CaseLifecycle.CanMove(status, to))
            {
                return new OutcomeResult<ContactAttempt>.Conflict("bereikt", OutcomeErrorCodes.TransitionRefused, $"the case is {status}: a contact attempt cannot move it to {to}");
            }

            var now = time.GetUtcNow();
            var stored = new ContactAttempt(input.Id, target.Task.CaseId, taskId, input.Soort, input.Bereikt, input.Datum, input.Dagdeel, teamId, now);
            var before = Outcome(target, now);
            var firstReach = input.Bereikt && (before.ReachedDatum is null || input.Datum < before.ReachedDatum);
            var outcome = before with
            {
                Attempts = before.Attempts + 1,
                FirstAttemptAt = before.FirstAttemptAt ?? now,
                FirstAttemptDatum = before.FirstAttemptDatum is { } d && d <= input.Datum ? d : input.Datum,
                ReachedAt = input.Bereikt ? before.ReachedAt ?? now : before.ReachedAt,
                ReachedDatum = firstReach ? input.Datum : before.ReachedDatum,
                ReachedSoort = firstReach ? input.Soort : before.ReachedSoort,
                UpdatedAt = now,
            };
            if (await CommitAsync(target, to, null, outcome, stored, cancellationToken))
            {
                return new OutcomeResult<ContactAttempt>.Done(stored);
            }
        }

        return new OutcomeResult<ContactAttempt>.Busy();
    }

    public async Task<OutcomeResult<HelpDecisionRecord>> DecideHelpAsync(string gemeentecode, string taskId, HelpDecisionInput input, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Outcomes);
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var target = await FindAsync(gemeentecode, taskId, null, cancellationToken);
            if (target is null)
            {
                return new OutcomeResult<HelpDecisionRecord>.NotFound();
            }

            if (target.Outcome?.Value is { HelpAccepted: { } decided, HelpDatum: { } day, HelpRecordedAt: { } at })
            {
                return decided == input.Aanvaard && day == input.Datum
                    ? new OutcomeResult<HelpDecisionRecord>.Done(new HelpDecisionRecord(taskId, target.Task.CaseId, decided, day, at))
                    : new OutcomeResult<HelpDecisionRecord>.Conflict("aanvaard", OutcomeErrorCodes.HelpConflict, "the household's decision on the help offered was recorded before with other values");
            }

            var status = target.Case.Value.Status;
            if (status == CaseStatus.Closed)
            {
                return Closed<HelpDecisionRecord>(target, "aanvaard");
            }

            var to = input.Aanvaard ? CaseStatus.HelpAccepted : CaseStatus.HelpDeclined;
            if (!CaseLifecycle.CanMove(status, to))
            {
                return new OutcomeResult<HelpDecisionRecord>.Conflict("aanvaard", OutcomeErrorCodes.TransitionRefused, $"the case is {status}: help is offered only to a household that was reached (record a contactpoging with bereikt = true first)");
            }

            var now = time.GetUtcNow();

            // The creditors' feedback is promised before the acceptance is committed (CreditorFeedbackReader: the invariant).
            var pending = input.Aanvaard ? await PendingFeedbackAsync(target, now, cancellationToken) : [];
            var outcome = Outcome(target, now) with { HelpAccepted = input.Aanvaard, HelpDatum = input.Datum, HelpRecordedAt = now, UpdatedAt = now };
            if (await CommitAsync(target, to, null, outcome, null, cancellationToken))
            {
                foreach (var p in pending)
                {
                    await feedback.ConfirmAsync(p, input.Datum, now, cancellationToken);
                }

                return new OutcomeResult<HelpDecisionRecord>.Done(new HelpDecisionRecord(taskId, target.Task.CaseId, input.Aanvaard, input.Datum, now));
            }
        }

        return new OutcomeResult<HelpDecisionRecord>.Busy();
    }

    public async Task<OutcomeResult<CaseClosingRecord>> CloseAsync(string gemeentecode, string taskId, CaseClosingInput input, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Outcomes);
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var target = await FindAsync(gemeentecode, taskId, null, cancellationToken);
            if (target is null)
            {
                return new OutcomeResult<CaseClosingRecord>.NotFound();
            }

            var @case = target.Case.Value;
            if (@case.Status == CaseStatus.Closed)
            {
                return @case.Resultaat == input.Resultaat && @case.ClosedAt is { } closedAt
                    ? new OutcomeResult<CaseClosingRecord>.Done(new CaseClosingRecord(taskId, @case.CaseId, input.Resultaat, closedAt))
                    : Closed<CaseClosingRecord>(target, "resultaat");
            }

            if (!CaseLifecycle.CanMove(@case.Status, CaseStatus.Closed))
            {
                return new OutcomeResult<CaseClosingRecord>.Conflict("resultaat", OutcomeErrorCodes.TransitionRefused, $"the case is {@case.Status} and cannot be closed");
            }

            // Read with the case in one request and committed If-Match on both: the progress cannot change under the check.
            if (ResultaatRules.Check(input.Resultaat, CaseProgress.Of(target.Outcome?.Value)) is { } disagrees)
            {
                return new OutcomeResult<CaseClosingRecord>.Conflict("resultaat", disagrees.Code, disagrees.Message);
            }

            var now = time.GetUtcNow();
            var outcome = Outcome(target, now) with { Resultaat = input.Resultaat, ClosedAt = now, UpdatedAt = now };
            if (await CommitAsync(target, CaseStatus.Closed, input.Resultaat, outcome, null, cancellationToken))
            {
                return new OutcomeResult<CaseClosingRecord>.Done(new CaseClosingRecord(taskId, @case.CaseId, input.Resultaat, now));
            }
        }

        return new OutcomeResult<CaseClosingRecord>.Busy();
    }

    /// <summary>The task as its team sees it, or null when this gemeente has no such task.</summary>
    public async Task<TaskOutcomeView?> GetAsync(string gemeentecode, string taskId, CancellationToken cancellationToken)
    {
        var target = await FindAsync(gemeentecode, taskId, null, cancellationToken);
        if (target is null)
        {
            return null;
        }

        var attempts = await store.ListAttemptsAsync(target.HouseholdKey, target.Task.CaseId, cancellationToken);
        return new TaskOutcomeView(taskId, target.Task.CaseId, target.Task.Gemeentecode, target.Task.DueDate, target.Case.Value.Status, attempts, target.Outcome?.Value);
    }

    // Another gemeente's task is answered exactly as an unknown one: the caller learns nothing of it.
    private async Task<OutcomeTarget?> FindAsync(string gemeentecode, string taskId, string? attemptId, CancellationToken cancellationToken)
    {
        if (!OutcomeIds.TryParseTaskId(taskId, out _, out _))
        {
            return null;
        }

        var target = await store.FindAsync(taskId, attemptId, cancellationToken);
        return target is not null && string.Equals(target.Task.Gemeentecode, gemeentecode, StringComparison.Ordinal) ? target : null;
    }

    private async Task<IReadOnlyList<PendingFeedback>> PendingFeedbackAsync(OutcomeTarget target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var owners = await store.SignalOwnersAsync(target.HouseholdKey, target.Case.Value.SignalIds, cancellationToken);
        var pending = owners.Select(o => new PendingFeedback(o.CreditorId, o.SignalId, o.SignaalReferentie, target.HouseholdKey, target.Task.CaseId, now)).ToList();
        return await feedback.AddPendingAsync(pending, cancellationToken);
    }

    private static CaseOutcome Outcome(OutcomeTarget target, DateTimeOffset now) =>
        target.Outcome?.Value ?? CaseOutcome.Empty(target.Task.CaseId, target.Task.Gemeentecode, now);

    private static OutcomeResult<T>.Conflict Closed<T>(OutcomeTarget target, string field) =>
        new(field, OutcomeErrorCodes.CaseClosed, $"the case was closed with resultaat '{target.Case.Value.Resultaat}'; a new signal opens a new case");

    private async Task<bool> CommitAsync(OutcomeTarget target, CaseStatus to, string? resultaat, CaseOutcome outcome, ContactAttempt? attempt, CancellationToken cancellationToken)
    {
        var before = target.Case.Value;
        var after = before with
        {
            Status = CaseLifecycle.Next(before.Status, to),
            Resultaat = to == CaseStatus.Closed ? resultaat : before.Resultaat,
            ClosedAt = to == CaseStatus.Closed ? outcome.ClosedAt : before.ClosedAt,
        };
        return await store.CommitAsync(target.HouseholdKey, new OutcomeCommit(target.Case, after, target.Outcome?.Version, outcome, attempt), cancellationToken);
    }
}
