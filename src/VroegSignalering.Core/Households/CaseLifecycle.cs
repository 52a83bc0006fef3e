using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Core.Households;

/// <summary>The one place that says which case status may follow which.</summary>
public static class CaseLifecycle
{
    private static readonly Dictionary<CaseStatus, CaseStatus[]> Allowed = new()
    {
        // A case without outreach can still be closed, e.g. every signal under the minimum amount.
        [CaseStatus.New] = [CaseStatus.Triaged, CaseStatus.Closed],
        [CaseStatus.Triaged] = [CaseStatus.Triaged, CaseStatus.TaskDispatched, CaseStatus.InContact, CaseStatus.Closed],
        [CaseStatus.TaskDispatched] = [CaseStatus.Triaged, CaseStatus.InContact, CaseStatus.Closed],
        [CaseStatus.InContact] = [CaseStatus.Triaged, CaseStatus.Closed],
        [CaseStatus.Closed] = [],
    };

    /// <summary>DDAS v0.9 <c>EnumEindresultaat</c>: the only results a case can be closed with.</summary>
    public static readonly IReadOnlySet<string> Resultaten =
        new HashSet<string>(DdasValues.Eindresultaat, StringComparer.Ordinal);

    public static bool CanMove(CaseStatus from, CaseStatus to) => Allowed[from].Contains(to);

    /// <summary>The case in its new status, or an exception naming the refused move.</summary>
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
            Status = to,
            UpdatedAt = at,
            Resultaat = to == CaseStatus.Closed ? resultaat : @case.Resultaat,
            ClosedAt = to == CaseStatus.Closed ? at : @case.ClosedAt,
        };
    }
}

public sealed class InvalidCaseTransitionException(string caseId, CaseStatus from, CaseStatus to)
    : InvalidOperationException($"case {caseId} cannot move from {from} to {to}")
{
    public CaseStatus From { get; } = from;

    public CaseStatus To { get; } = to;
}
