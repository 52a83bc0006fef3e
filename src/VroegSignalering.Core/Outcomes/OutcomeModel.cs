using System.Globalization;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Core.Outcomes;

/// <summary>DDAS v0.9 enumerations of a contactpoging (<c>EnumContactsoort</c>, <c>EnumDagdeel</c>).</summary>
public static class OutcomeValues
{
    public static readonly IReadOnlyList<string> Contactsoorten =
        ["Mail", "Brief", "SMS/Whatsapp", "Telefoon", "Huisbezoek", "Kaartje", "Overige", "Administratief"];

    public static readonly IReadOnlyList<string> Dagdelen = ["Ochtend", "Middag", "Avond"];
}

/// <summary>A contact attempt as a team submits it (DDAS <c>contactpoging</c>), with the team's own id for it.</summary>
public sealed record ContactAttemptInput(string Id, string Soort, bool Bereikt, DateOnly Datum, string Dagdeel);

/// <summary>Help offered to a reached household: accepted or declined, and on which day.</summary>
public sealed record HelpDecisionInput(bool Aanvaard, DateOnly Datum);

/// <summary>The case's DDAS <c>resultaat</c>.</summary>
public sealed record CaseClosingInput(string Resultaat);

/// <summary>
/// A stored contact attempt (row <c>p|caseId|id</c> in the household partition). No personal data: the kind,
/// whether it reached the household, the day and the part of the day.
/// </summary>
public sealed record ContactAttempt(string Id, string CaseId, string TaskId, string Soort, bool Bereikt, DateOnly Datum, string Dagdeel, string TeamId, DateTimeOffset RecordedAt)
{
    /// <summary>What a replay of the same id must repeat exactly; the team and the moment are not the request's.</summary>
    public bool SameRequest(string taskId, ContactAttemptInput input) =>
        TaskId == taskId && Soort == input.Soort && Bereikt == input.Bereikt && Datum == input.Datum && Dagdeel == input.Dagdeel;
}

/// <summary>
/// A case's outcome so far (row <c>u|caseId</c>, next to the case): what escalation, retention and the funnel
/// read without counting attempt rows. Triage rewrites the case row whole, so these facts live in their own row.
/// </summary>
public sealed record CaseOutcome(
    string CaseId,
    string Gemeentecode,
    int Attempts,
    DateTimeOffset? FirstAttemptAt,
    DateOnly? FirstAttemptDatum,
    DateTimeOffset? ReachedAt,
    DateOnly? ReachedDatum,
    string? ReachedSoort,
    bool? HelpAccepted,
    DateOnly? HelpDatum,
    DateTimeOffset? HelpRecordedAt,
    string? Resultaat,
    DateTimeOffset? ClosedAt,
    DateTimeOffset UpdatedAt)
{
    public static CaseOutcome Empty(string caseId, string gemeentecode, DateTimeOffset at) =>
        new(caseId, gemeentecode, 0, null, null, null, null, null, null, null, null, null, null, at);
}

/// <summary>What the outcome API needs of a case; the rest of the case row is triage's.</summary>
public sealed record CaseState(string CaseId, CaseStatus Status, string? Resultaat, DateTimeOffset? ClosedAt, IReadOnlyList<string> SignalIds);

/// <summary>What the outcome API needs of a task.</summary>
public sealed record TaskRef(string TaskId, string CaseId, string Gemeentecode, DateTimeOffset CreatedAt, DateOnly DueDate);

/// <summary>A task found by id, with its case and the case's outcome, each with its version, read in one request.</summary>
public sealed record OutcomeTarget(
    string HouseholdKey,
    TaskRef Task,
    Versioned<CaseState> Case,
    Versioned<CaseOutcome>? Outcome,
    ContactAttempt? Attempt);

/// <summary>
/// One entity-group transaction in the household partition: the case's status (If-Match on the version read),
/// the outcome row (insert or If-Match) and, for an attempt, the attempt row (insert).
/// </summary>
public sealed record OutcomeCommit(Versioned<CaseState> CaseBefore, CaseState CaseAfter, string? OutcomeVersion, CaseOutcome Outcome, ContactAttempt? NewAttempt);

public interface IOutcomeStore
{
    /// <summary>
    /// The task and its case, or null when no task has this id. <paramref name="attemptId"/>, when given, is
    /// read along (null in the result when not stored).
    /// </summary>
    Task<OutcomeTarget?> FindAsync(string taskId, string? attemptId, CancellationToken cancellationToken);

    /// <summary>The case's attempts, oldest first.</summary>
    Task<IReadOnlyList<ContactAttempt>> ListAttemptsAsync(string householdKey, string caseId, CancellationToken cancellationToken);

    /// <summary>The case's outcome row, or null when no outcome was recorded.</summary>
    Task<CaseOutcome?> GetOutcomeAsync(string householdKey, string caseId, CancellationToken cancellationToken);

    /// <summary>The case as the outcome API sees it (status and signals), or null when the household has no such case.</summary>
    Task<CaseState?> GetCaseAsync(string householdKey, string caseId, CancellationToken cancellationToken);

    /// <summary>Who sent each of these signals of the household, and under which reference.</summary>
    Task<IReadOnlyList<SignalOwner>> SignalOwnersAsync(string householdKey, IReadOnlyList<string> signalIds, CancellationToken cancellationToken);

    /// <summary>One transaction; false (nothing written) when the case or the outcome changed since they were read.</summary>
    Task<bool> CommitAsync(string householdKey, OutcomeCommit commit, CancellationToken cancellationToken);
}

/// <summary>Task ids as triage makes them: <c>t-&lt;first 20 hex of the household key&gt;-&lt;case sequence&gt;-r&lt;revision&gt;</c>.</summary>
public static class OutcomeIds
{
    public const int HouseholdPrefixLength = 20;

    /// <summary>The household key's prefix and the case id of a task id, or false when the id cannot be a task's.</summary>
    public static bool TryParseTaskId(string? taskId, out string householdPrefix, out string caseId)
    {
        householdPrefix = caseId = string.Empty;
        if (taskId is null || taskId.Length > 64 || !taskId.StartsWith("t-", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = taskId[2..].Split('-');
        if (parts.Length != 3 || parts[0].Length != HouseholdPrefixLength || !parts[0].All(char.IsAsciiHexDigitLower)
            || !IsNumber(parts[1]) || parts[2].Length < 2 || parts[2][0] != 'r' || !IsNumber(parts[2][1..]))
        {
            return false;
        }

        householdPrefix = parts[0];
        caseId = $"c-{parts[0]}-{parts[1]}";
        return CaseComposer.TaskId(caseId, int.Parse(parts[2][1..], CultureInfo.InvariantCulture)) == taskId;
    }

    private static bool IsNumber(string s) => s.Length is > 0 and <= 9 && s.All(char.IsAsciiDigit) && s[0] != '0';
}
