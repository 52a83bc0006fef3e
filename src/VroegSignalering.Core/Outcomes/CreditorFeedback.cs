namespace VroegSignalering.Core.Outcomes;

/// <summary>A creditor's signal in a case, as feedback needs it: whose it is and the creditor's own reference.</summary>
public sealed record SignalOwner(string SignalId, string CreditorId, string SignaalReferentie);

/// <summary>
/// Written for each of a case's signals before the household transaction that records the help as accepted: the
/// promise of feedback, which the household partition confirms or, when the transaction never happened, lets go.
/// <paramref name="Datum"/> is set for a signal that joins a case already accepted (the day it joined,
/// <see cref="JoinedSignalFeedback"/>); null: the item carries the day help was accepted, from the outcome row.
/// </summary>
public sealed record PendingFeedback(string CreditorId, string SignalId, string SignaalReferentie, string HouseholdKey, string CaseId, DateTimeOffset CreatedAt, string? Version = null, DateOnly? Datum = null);

/// <summary>One item of a creditor's feedback: only that help was accepted for this signal, and the day. Nothing else.</summary>
public sealed record FeedbackItem(string SignaalReferentie, DateOnly Datum);

/// <summary>A page of a creditor's feedback in confirmation order, and the cursor to read on from (null: read everything so far).</summary>
public sealed record FeedbackPage(IReadOnlyList<FeedbackItem> Items, string? Next);

/// <summary>The per-creditor feedback index (a partition per creditor).</summary>
public interface IFeedbackStore
{
    /// <summary>Idempotent: writing a pending row twice is writing it once. Returns the rows with their versions.</summary>
    Task<IReadOnlyList<PendingFeedback>> AddPendingAsync(IReadOnlyList<PendingFeedback> pending, CancellationToken cancellationToken);

    Task<IReadOnlyList<PendingFeedback>> ListPendingAsync(string creditorId, CancellationToken cancellationToken);

    /// <summary>
    /// Turns a pending row into a feedback item, in one transaction of the creditor's partition (the pending row
    /// removed If-Match, the item added), so an item is added once however many confirm it. False when another
    /// confirmed or dropped it first.
    /// </summary>
    Task<bool> ConfirmAsync(PendingFeedback pending, DateOnly datum, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes a pending row whose acceptance was never committed (If-Match).</summary>
    Task<bool> DropAsync(PendingFeedback pending, CancellationToken cancellationToken);

    Task<FeedbackPage> ReadAsync(string creditorId, string? cursor, int max, CancellationToken cancellationToken);
}

/// <summary>
/// What a creditor hears: per signaalReferentie, that help was accepted and when; never a refusal, a reason, a
/// result, a contact detail or another creditor's signal.
/// </summary>
/// <remarks>
/// Invariant, why no acceptance is lost and none is told early: the pending rows of a case's signals are written
/// before the household transaction that records the acceptance, and a pending row leaves the index only (a) by
/// becoming an item, when the household's outcome row shows the help accepted, or (b) dropped, when it is older
/// than <see cref="Grace"/> and the household shows no acceptance: no request writes its acceptance that long
/// after its pending rows (an HTTP request ends within minutes). The request confirms its rows right after its
/// commit; a crash in between leaves them pending, and the creditor's next read confirms them.
/// A signal that joins the case after the acceptance is promised the same way by triage
/// (<see cref="JoinedSignalFeedback"/>), which is why confirming also needs the signal in the case: the case was
/// accepted before that promise, and only the triage commit that joins the signal makes it true.
/// </remarks>
public sealed class CreditorFeedbackReader(IFeedbackStore feedback, IOutcomeStore outcomes, TimeProvider time)
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);

    public const int MaxPage = 500;

    public async Task<FeedbackPage> ReadAsync(string creditorId, string? cursor, int max, CancellationToken cancellationToken)
    {
        await SettleAsync(creditorId, cancellationToken);
        return await feedback.ReadAsync(creditorId, cursor, Math.Clamp(max, 1, MaxPage), cancellationToken);
    }

    /// <summary>Confirms or drops the creditor's pending rows, as the household partitions say.</summary>
    public async Task SettleAsync(string creditorId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var pending in await feedback.ListPendingAsync(creditorId, cancellationToken))
        {
            var outcome = await outcomes.GetOutcomeAsync(pending.HouseholdKey, pending.CaseId, cancellationToken);
            if (outcome is { HelpAccepted: true, HelpDatum: { } datum } && await InCaseAsync(pending, cancellationToken))
            {
                await feedback.ConfirmAsync(pending, pending.Datum ?? datum, now, cancellationToken);
            }
            else if (now - pending.CreatedAt > Grace)
            {
                await feedback.DropAsync(pending, cancellationToken);
            }
        }
    }

    private async Task<bool> InCaseAsync(PendingFeedback pending, CancellationToken cancellationToken) =>
        await outcomes.GetCaseAsync(pending.HouseholdKey, pending.CaseId, cancellationToken) is { } @case
        && @case.SignalIds.Contains(pending.SignalId, StringComparer.Ordinal);
}
