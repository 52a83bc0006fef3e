using VroegSignalering.Core.Households;
using VroegSignalering.Core.Retention;
using static VroegSignalering.Core.Tests.Households.HouseholdData;
using static VroegSignalering.Core.Tests.Retention.RetentionData;

namespace VroegSignalering.Core.Tests.Retention;

public sealed class RetentionPlannerTests
{
    private static readonly RetentionOptions Defaults = new();

    [Fact]
    public void A_case_closed_without_help_goes_whole_183_days_after_closing_and_not_a_tick_before()
    {
        var rows = Household1();

        var before = RetentionPlanner.PlanHousehold(rows, Defaults, ClosedAt.AddDays(183).AddTicks(-1));
        var at = RetentionPlanner.PlanHousehold(rows, Defaults, ClosedAt.AddDays(183));

        Assert.True(before.IsEmpty);
        Assert.Equal([RetentionKind.ClosedCaseWithoutHelp], at.Due.Select(d => d.Kind));
        Assert.Equal(["c-f00dfacecafe-1"], at.CaseIds);
        Assert.Equal(["s-jansen-huur", "s-jansen-energie"], at.SignalIds);
        Assert.Equal(["t-f00dfacecafe-1-r1"], at.TaskIds);
        Assert.Equal(2, at.Attempts.Count);
        Assert.True(at.DeleteHead);
    }

    [Fact]
    public void A_case_where_help_was_accepted_keeps_its_year_and_its_contact_attempts_go_at_their_own_term()
    {
        var rows = Household1(helpAccepted: true);

        var afterHalfYear = RetentionPlanner.PlanHousehold(rows, Defaults, ClosedAt.AddDays(183));
        var afterYear = RetentionPlanner.PlanHousehold(rows, Defaults, ClosedAt.AddDays(365));

        Assert.Empty(afterHalfYear.CaseIds);
        Assert.Equal([RetentionKind.ContactAttempt, RetentionKind.ContactAttempt], afterHalfYear.Due.Select(d => d.Kind));
        Assert.False(afterHalfYear.DeleteHead);
        Assert.Equal([RetentionKind.ClosedCaseWithHelp], afterYear.Due.Select(d => d.Kind));
    }

    [Fact]
    public void An_open_case_is_never_due_however_old_but_its_dispatched_message_goes_after_30_days()
    {
        var rows = Household1(closed: false, withMessage: true);
        var dispatchedAt = rows.Outbox[0].DispatchedAt!.Value;

        var plan = RetentionPlanner.PlanHousehold(rows, Defaults, dispatchedAt.AddYears(5));
        var early = RetentionPlanner.PlanHousehold(rows, Defaults, dispatchedAt.AddDays(30).AddTicks(-1));

        Assert.Empty(plan.CaseIds);
        Assert.Empty(plan.SignalIds);
        Assert.Equal([RetentionKind.OutboxMessage], plan.Due.Select(d => d.Kind));
        Assert.Equal(["t-f00dfacecafe-1-r1"], plan.OutboxMessages);
        Assert.True(early.IsEmpty);
    }

    [Fact]
    public void A_signal_in_no_case_goes_90_days_after_its_receipt_and_a_signal_in_a_case_waits_for_the_case()
    {
        var loose = Signal("s-loose", receivedAt: ClosedAt, signaaldatum: new DateOnly(2026, 3, 9));
        var rows = Household1(closed: false, extraSignals: [loose]);

        var plan = RetentionPlanner.PlanHousehold(rows, Defaults, ClosedAt.AddDays(90));
        var early = RetentionPlanner.PlanHousehold(rows, Defaults, ClosedAt.AddDays(90).AddTicks(-1));

        Assert.Equal(["s-loose"], plan.SignalIds);
        Assert.Contains(plan.Due, d => d.Kind == RetentionKind.SignalWithoutCase);
        Assert.DoesNotContain(early.Due, d => d.Kind == RetentionKind.SignalWithoutCase);
    }

    [Fact]
    public void A_gemeente_with_a_shorter_term_loses_its_closed_cases_earlier_than_another_gemeente()
    {
        var options = new RetentionOptions { Gemeenten = { ["0363"] = new RetentionTerms { ClosedCaseWithoutHelpDays = 100 } } };

        var amsterdam = RetentionPlanner.PlanHousehold(Household1(gemeente: "0363"), options, ClosedAt.AddDays(100));
        var other = RetentionPlanner.PlanHousehold(Household1(gemeente: "0518"), options, ClosedAt.AddDays(100));

        Assert.Equal([RetentionKind.ClosedCaseWithoutHelp], amsterdam.Due.Select(d => d.Kind));
        Assert.True(other.IsEmpty);
    }

    [Theory]
    [InlineData(0, "under 3 months")]
    [InlineData(90, "under 3 months")]
    [InlineData(91, "3-6 months")]
    [InlineData(200, "6-12 months")]
    [InlineData(400, "1-2 years")]
    [InlineData(800, "2 years or more")]
    public void The_dry_run_buckets_an_age_by_how_long_ago_the_term_started(int days, string bucket) =>
        Assert.Equal(bucket, RetentionPlanner.AgeBucket(TimeSpan.FromDays(days)));
}
