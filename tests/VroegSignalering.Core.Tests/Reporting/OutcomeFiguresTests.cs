using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Core.Tests.Households;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Tests.Reporting;

/// <summary>
/// The run report's funnel, reach by channel, and overdue and escalated tasks, computed from the stored rows: case
/// outcomes (<c>u|</c>), contact attempts (<c>p|</c>), tasks and their reasons.
/// </summary>
public sealed class OutcomeFiguresTests
{
    private static readonly DateTimeOffset T0 = HouseholdData.Now;

    [Fact]
    public void The_funnel_counts_cases_attempted_reached_and_accepting_help_and_reach_by_the_soorten_of_their_attempts()
    {
        var observation = Observation(
            cases: [Case("c-1"), Case("c-2"), Case("c-3"), Case("c-4")],
            outcomes: [Outcome("c-1", attempts: 2), Outcome("c-2", attempts: 2, reached: "Telefoon", help: true), Outcome("c-3", attempts: 2, reached: "Huisbezoek", help: false)],
            attempts: [Attempt("c-1", "Brief"), Attempt("c-1", "Brief", id: "second"), Attempt("c-2", "Brief"), Attempt("c-2", "Telefoon", true), Attempt("c-3", "Telefoon"), Attempt("c-3", "Huisbezoek", true)]);

        var figures = RunReportBuilder.Outcomes(observation);

        Assert.Equal(new FunnelRow(0, 4, 4, 3, 2, 1), figures.Total);
        Assert.Equal(figures.Total, figures.ByGemeente["0363"]);
        Assert.Equal(new ChannelReach(1, 0), figures.ReachByChannel[OutcomeFigures.LettersOnly]);
        Assert.Equal(new ChannelReach(2, 2), figures.ReachByChannel["Telefoon"]);
        Assert.Equal(new ChannelReach(1, 1), figures.ReachByChannel["Huisbezoek"]);
        Assert.Equal(new ChannelReach(2, 1), figures.ReachByChannel["Brief"]);
        Assert.Equal(6, figures.ContactAttempts);
        Assert.Equal(1, figures.HelpDeclined);
    }

    [Fact]
    public void A_task_past_its_due_date_without_an_attempt_is_overdue_and_one_with_ESCALATED_OVERDUE_is_escalated()
    {
        var today = HouseholdData.Today;
        var observation = Observation(
            cases: [Case("c-late"), Case("c-tried"), Case("c-ontime"), Case("c-closed", CaseStatus.Closed), Case("c-revised")],
            outcomes: [Outcome("c-tried", attempts: 1)],
            attempts: [Attempt("c-tried", "Brief")],
            tasks:
            [
                Task("c-late", 1, today.AddDays(-1)),
                Task("c-tried", 1, today.AddDays(-3)),
                Task("c-ontime", 1, today),
                Task("c-closed", 1, today.AddDays(-5)),
                Task("c-revised", 1, today.AddDays(-4)),
                Task("c-revised", 2, today.AddDays(3), escalated: true),
            ]);

        var figures = RunReportBuilder.Escalation(observation, today);

        // c-late only: c-tried had an attempt, c-ontime is due today, c-closed is closed, c-revised's newest task is not due yet.
        Assert.Equal(1, figures.Overdue);
        Assert.Equal(1, figures.OverdueByGemeente["0363"]);
        Assert.Equal(1, figures.Escalated);
    }

    private static HouseholdCase Case(string caseId, CaseStatus status = CaseStatus.TaskDispatched) => HouseholdData.Case(caseId, status);

    private static CaseOutcome Outcome(string caseId, int attempts, string? reached = null, bool? help = null) =>
        CaseOutcome.Empty(caseId, "0363", T0) with
        {
            Attempts = attempts,
            ReachedAt = reached is null ? null : T0,
            ReachedSoort = reached,
            HelpAccepted = help,
        };

    private static ContactAttempt Attempt(string caseId, string soort, bool bereikt = false, string? id = null) =>
        new(id ?? $"{caseId}-{soort}", caseId, $"t-{caseId}", soort, bereikt, HouseholdData.Today, "Ochtend", "team", T0);

    private static OutreachTask Task(string caseId, int revision, DateOnly due, bool escalated = false) =>
        new($"t-{caseId}-r{revision}", caseId, revision, HouseholdData.Centrum, "team", Priority.Hoog, 10,
            escalated ? [new TriageReason(EscalationFigures.EscalatedReason, "overdue", 0)] : [],
            ContactChannel.Telefoon, due, "v1", T0, T0, []);

    private static RunObservation Observation(
        IReadOnlyList<HouseholdCase> cases, IReadOnlyList<CaseOutcome> outcomes, IReadOnlyList<ContactAttempt> attempts, IReadOnlyList<OutreachTask>? tasks = null)
    {
        tasks ??= cases.Select(c => Task(c.CaseId, 1, HouseholdData.Today.AddDays(14))).ToList();
        var outbox = tasks.Select(t => new OutboxEntry(t.TaskId, t.CaseId, "0363", OutboxStatus.Dispatched, T0, T0, 1, null, null, T0, new ProtectedPayload("k", [1]))).ToList();
        return new RunObservation([], [], 0, cases, [], tasks, outbox, new Dictionary<string, int>(), new Dictionary<string, int>(), 0)
        {
            Outcomes = outcomes,
            Attempts = attempts,
        };
    }
}
