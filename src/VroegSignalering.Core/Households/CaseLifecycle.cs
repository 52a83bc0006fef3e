using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Core.Households;

/// <summary>The one place that says which case status may follow which.</summary>
/// <remarks>
/// Outreach runs New → Triaged → TaskDispatched; the team's outcomes then run ContactAttempted → Reached →
/// HelpAccepted or HelpDeclined → Closed (docs/api.md, "Outcomes"). The team's progress never goes back: a new
/// task revision on a case the team already works (triage moves it to Triaged) keeps the case's status, so a
/// household that was reached stays reached when a creditor signals again; the revision itself is recorded
/// on the case by triage as before.
/// </remarks>
public static class CaseLifecycle
{
    private static readonly Dictionary<CaseStatus, CaseStatus[]> Allowed = new()
    {
        // A case without outreach can still be closed, e.g. every signal under the minimum amount.
        [CaseStatus.New] = [CaseStatus.Triaged, CaseStatus.Closed],

        // A team may record an attempt before the dispatcher has recorded the send (it records after the send).
        [CaseStatus.Triaged] = [CaseStatus.Triaged, CaseStatus.TaskDispatched, CaseStatus.InContact, CaseStatus.ContactAttempted, CaseStatus.Reached, CaseStatus.Closed],
        [CaseStatus.TaskDispatched] = [CaseStatus.Triaged, CaseStatus.InContact, CaseStatus.ContactAttempted, CaseStatus.Reached, CaseStatus.Closed],
        [CaseStatus.InContact] = [CaseStatus.Triaged, CaseStatus.Closed],
        [CaseStatus.ContactAttempted] = [CaseStatus.Triaged, CaseStatus.ContactAttempted, CaseStatus.Reached, CaseStatus.Closed],
        [CaseStatus.Reached] = [CaseStatus.Triaged, CaseStatus.Reached, CaseStatus.HelpAccepted, CaseStatus.HelpDeclined, CaseStatus.Closed],
        [CaseStatus.HelpAccepted] = [CaseStatus.Triaged, CaseStatus.Closed],
        [CaseStatus.HelpDeclined] = [CaseStatus.Triaged, CaseStatus.Closed],
        [CaseStatus.Closed] = [],
    };

    /// <summary>The statuses of the team's progress, which a new task revision does not undo.</summary>
    public static readonly IReadOnlySet<CaseStatus> TeamProgress = new HashSet<CaseStatus>
    {
        CaseStatus.ContactAttempted, CaseStatus.Reached, CaseStatus.HelpAccepted, CaseStatus.HelpDeclined,
    };

    /// <summary>DDAS v0.9 <c>EnumEindresultaat</c>: the only results a case can be closed with.</summary>
    public static readonly IReadOnlySet<string> Resultaten =
        new HashSet<string>(DdasValues.Eindresultaat, StringComparer.Ordinal);

    public static bool CanMove(CaseStatus from, CaseStatus to) => Allowed[from].Contains(to);

    /// <summary>
    /// The case in its new status, or an exception naming the refused move. A move to Triaged from the team's
    /// progress (<see cref="TeamProgress"/>) is allowed and keeps the status: it is a new revision, not a step back.
    /// </summary>
    public static HouseholdCase MoveTo(this HouseholdCase @case, CaseStatus to, DateTimeOffset at, string? resultaat = null)
    {
        if (!CanMove(@case.Status, to))
        {
            throw new InvalidCaseTransitionException(@case.CaseId, @case.Status, to);
        }

        if (to == CaseStatus.Closed && (resultaat is null || !Resultaten.Contains(resultaat)))
        {
            throw new ArgumentException("closing a case needs a resultaat from DDAS EnumEindresultaat", nameof(resultaat));
        }

        return @case with
        {
            Status = Next(@case.Status, to),
            UpdatedAt = at,
            Resultaat = to == CaseStatus.Closed ? resultaat : @case.Resultaat,
            ClosedAt = to == CaseStatus.Closed ? at : @case.ClosedAt,
        };
    }

    /// <summary>The status a permitted move leaves the case in (the same as <paramref name="to"/> except for a revision on a case in progress).</summary>
    public static CaseStatus Next(CaseStatus from, CaseStatus to) =>
        to == CaseStatus.Triaged && TeamProgress.Contains(from) ? from : to;
}

public sealed class InvalidCaseTransitionException(string caseId, CaseStatus from, CaseStatus to)
    : InvalidOperationException($"case {caseId} cannot move from {from} to {to}")
{
    public CaseStatus From { get; } = from;

    public CaseStatus To { get; } = to;
}
