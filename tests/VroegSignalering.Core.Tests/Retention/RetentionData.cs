using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Retention;
using VroegSignalering.Core.Triage;
using static VroegSignalering.Core.Tests.Households.HouseholdData;

namespace VroegSignalering.Core.Tests.Retention;

/// <summary>
/// A household with one case, hand-built; the case is closed at <see cref="ClosedAt"/> unless told. Its outbox row's
/// message is already gone (as after its own 30-day term) unless <c>withMessage</c>, so only the case's terms apply.
/// </summary>
internal static class RetentionData
{
    public static readonly DateTimeOffset ClosedAt = new(2026, 3, 10, 14, 0, 0, TimeSpan.Zero);

    public const string Household = "f00dfacecafe1234567890abcdef";

    public static HouseholdRows Household1(
        bool closed = true,
        bool? helpAccepted = false,
        DateTimeOffset? closedAt = null,
        string gemeente = "0363",
        string caseId = "c-f00dfacecafe-1",
        string taskId = "t-f00dfacecafe-1-r1",
        bool withHead = true,
        string signalPrefix = "s-jansen",
        bool withMessage = false,
        IReadOnlyList<StoredSignal>? extraSignals = null)
    {
        var at = closedAt ?? ClosedAt;
        var area = new VroegSignalering.Core.Routing.AreaCodes(gemeente, gemeente + "01", gemeente + "0101");
        var opened = at.AddDays(-40);
        var signals = new List<StoredSignal>
        {
            Signal(signalPrefix + "-huur", creditor: "woonstad", signaaldatum: DateOnly.FromDateTime(opened.UtcDateTime), area: area, personKey: "person-jansen", bedrag: 812.40m),
            Signal(signalPrefix + "-energie", creditor: "energie-1", type: PartnerType.Energie, signaaldatum: DateOnly.FromDateTime(opened.UtcDateTime).AddDays(2), area: area, personKey: "person-jansen"),
        };
        var @case = new HouseholdCase(caseId, 1, closed ? CaseStatus.Closed : CaseStatus.Reached, area, opened, signals[0].Signaaldatum, signals[1].Signaaldatum,
            [.. signals.Select(s => s.SignalId)], 1, Priority.Hoog, 60, taskId, 1, 0, closed ? "Definitief geen contact kunnen krijgen" : null, closed ? at : null, at);
        var task = new OutreachTask(taskId, caseId, 1, area, "wijkteam-noord", Priority.Hoog, 60, [], ContactChannel.Telefoon, DateOnly.FromDateTime(opened.UtcDateTime).AddDays(14),
            "v1", opened, opened, [.. signals.Select(s => s.SignalId)]);
        var outbox = new OutboxEntry(taskId, caseId, gemeente, OutboxStatus.Dispatched, opened, opened.AddMinutes(1), 1, null, null, opened, new ProtectedPayload("key-1", withMessage ? [9, 9, 9] : []));
        var attempts = new List<ContactAttempt>
        {
            new("p-1", caseId, taskId, "Telefoon", false, DateOnly.FromDateTime(opened.UtcDateTime).AddDays(3), "Ochtend", "team-" + gemeente, opened.AddDays(3)),
            new("p-2", caseId, taskId, "Huisbezoek", true, DateOnly.FromDateTime(opened.UtcDateTime).AddDays(5), "Middag", "team-" + gemeente, opened.AddDays(5)),
        };
        var outcome = CaseOutcome.Empty(caseId, gemeente, at) with { Attempts = 2, ReachedAt = opened.AddDays(5), HelpAccepted = helpAccepted, ClosedAt = closed ? at : null };
        return new HouseholdRows(Household, withHead, [.. signals, .. extraSignals ?? []], [@case], [task], [outbox], attempts, [outcome]);
    }
}
