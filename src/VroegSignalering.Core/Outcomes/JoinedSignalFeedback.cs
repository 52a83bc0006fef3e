using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Core.Outcomes;

/// <summary>
/// Feedback for a signal that joins a case whose help was already accepted: its creditor hears the same kind of item
/// as the case's earlier creditors ({signaalReferentie, hulpAanvaard, datum}), so it too pauses collection.
/// </summary>
/// <remarks>
/// <para>
/// Why pending-then-confirm and not a row in the triage transaction (the outbox pattern): the feedback index is its own
/// table, partitioned per creditor, so no transaction spans it and the household; an outbox row in the household
/// partition would need a new row kind in triage's commit and a sweep to move it on, in the lead's commit path. The
/// promise is the one the acceptance already makes (<see cref="CreditorFeedbackReader"/>): a pending row per joining
/// signal is written before the triage commit that puts the signal in the case, and confirmed right after it. A crash
/// in between leaves the row pending, and the creditor's next read confirms it, because the household then shows the
/// signal in an accepted case; a commit that never happened leaves a row the reader never confirms (the signal is in
/// no accepted case) and drops after the grace period.
/// </para>
/// <para>
/// Datum is the day the signal joined (Europe/Amsterdam), not the day help was accepted: the creditor pauses
/// collection for 30 days from hearing it (DOMAIN.md; docs/api.md counts them from <c>datum</c>), and an acceptance
/// weeks before the signal came would leave a creditor that counts from <c>datum</c> no pause at all. The join day is
/// never before the acceptance's day (an acceptance cannot be dated in the future), and for the case's earlier
/// signals the two are the same day in practice. It is fixed in the pending row, so a reader that confirms after a
/// crash tells the same day the request would have.
/// </para>
/// <para>
/// No duplicates: a signal joins a case once (triage only composes unassigned signals), so a replay or a re-triage
/// finds it assigned and promises nothing; confirming removes the pending row If-Match in the same transaction that
/// adds the item, so triage and a reader racing to confirm it add one item.
/// </para>
/// </remarks>
public sealed class JoinedSignalFeedback(IFeedbackStore feedback, TimeProvider time)
{
    /// <summary>
    /// Writes the pending rows for <paramref name="joined"/> before the commit that joins them to
    /// <paramref name="target"/>; none unless the case's help was accepted (its status as read by triage: the commit
    /// is guarded by that version, so the acceptance cannot change under it).
    /// </summary>
    public async Task<IReadOnlyList<PendingFeedback>> PromiseAsync(string householdKey, HouseholdCase target, IReadOnlyList<StoredSignal> joined, CancellationToken cancellationToken)
    {
        if (target.Status != CaseStatus.HelpAccepted || joined.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var day = DutchCalendar.LocalDate(now);
        var pending = joined.Select(s => new PendingFeedback(s.CreditorId, s.SignalId, s.SignaalReferentie, householdKey, target.CaseId, now, Datum: day)).ToList();
        return await feedback.AddPendingAsync(pending, cancellationToken);
    }

    /// <summary>After the commit: turns the promises into items.</summary>
    public async Task ConfirmAsync(IReadOnlyList<PendingFeedback> pending, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var p in pending)
        {
            await feedback.ConfirmAsync(p, p.Datum ?? DutchCalendar.LocalDate(p.CreatedAt), now, cancellationToken);
        }
    }
}
