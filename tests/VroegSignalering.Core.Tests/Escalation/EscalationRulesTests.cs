using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Escalation;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Triage;
using static VroegSignalering.Core.Tests.Households.HouseholdData;

namespace VroegSignalering.Core.Tests.Escalation;

/// <summary>docs/triage.md, chapter 14 "Escalatie": when a task is overdue, and what its escalation revision carries.</summary>
public sealed class EscalationRulesTests
{
    private static readonly GemeentePolicy Default = new();

    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    // Goede Vrijdag 2027 (a working day); Monday 29 March 2027 is tweede Paasdag. Summer time starts on Sunday 28 March,
    // so midnight in Amsterdam on 2 April is 22:00 UTC on 1 April.
    private static readonly DateOnly GoodFriday2027 = new(2027, 3, 26);

    private static ArrearsFact Crisis(DateOnly today) =>
        new("corporatie-1", PartnerType.Huur, 1200m, today.AddDays(-100), today.AddDays(-2), true, false, null, null);

    private static OutreachTask MadeTask(Priority priority, DateOnly due, params TriageReason[] reasons) => new(
        "t-0123456789abcdef0123-1-r1", "c-0123456789abcdef0123-1", 1, new AreaCodes("0363", "036301", "03630101"), "schuldhulpverlening",
        priority, 64, reasons.Length > 0 ? reasons : [new TriageReason("CRISIS", "Crisissignaal", 50), new TriageReason("WOONLASTEN", "Woonlasten", 10)],
        ContactChannel.Huisbezoek, due, TriagePolicy.Version, new DateTimeOffset(2027, 3, 26, 9, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2027, 3, 26, 8, 0, 0, TimeSpan.Zero), ["s1", "s2"]);

    [Fact]
    public void A_spoed_task_made_on_good_friday_is_not_overdue_until_the_third_working_day_after_easter_monday_has_passed()
    {
        var due = TriagePolicy.Evaluate([Crisis(GoodFriday2027)], GoodFriday2027, Default, phoneKnown: true).DueDate;
        Assert.Equal(new DateOnly(2027, 4, 1), due); // Tue 30-3, Wed 31-3, Thu 1-4: the weekend and tweede Paasdag do not count

        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 26, 10, 0, 0, TimeSpan.Zero));
        var notYet = new List<DateTimeOffset>();
        while (clock.GetUtcNow() < new DateTimeOffset(2027, 4, 1, 21, 0, 0, TimeSpan.Zero))
        {
            // Every hour through the weekend, the holiday and the three working days.
            Assert.False(EscalationRules.IsOverdue(due, clock.GetUtcNow()), $"overdue at {clock.GetUtcNow():u}");
            notYet.Add(clock.GetUtcNow());
            clock.Advance(TimeSpan.FromHours(1));
        }

        clock.SetUtcNow(new DateTimeOffset(2027, 4, 1, 21, 59, 59, TimeSpan.Zero)); // Thursday 23:59:59 in Amsterdam
        Assert.False(EscalationRules.IsOverdue(due, clock.GetUtcNow()));
        clock.Advance(TimeSpan.FromSeconds(1)); // Friday 00:00:00 in Amsterdam
        Assert.True(EscalationRules.IsOverdue(due, clock.GetUtcNow()));
        Assert.True(notYet.Count > 24 * 6);
    }

    [Fact]
    public void A_normaal_task_due_after_a_weekend_and_christmas_is_overdue_from_the_day_after_its_due_date()
    {
        // Friday 11 December 2026 + 14 days is Friday 25 December (Kerstdag); 26 and 27 are no working days either.
        var due = TriagePolicy.DueDate(Priority.Normaal, new DateOnly(2026, 12, 11), Default);
        Assert.Equal(new DateOnly(2026, 12, 28), due);

        // Winter time: midnight in Amsterdam is 23:00 UTC the evening before.
        Assert.False(EscalationRules.IsOverdue(due, new DateTimeOffset(2026, 12, 28, 22, 59, 59, TimeSpan.Zero)));
        Assert.True(EscalationRules.IsOverdue(due, new DateTimeOffset(2026, 12, 28, 23, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void The_escalation_revision_keeps_priority_score_team_channel_and_signals_and_puts_escalated_overdue_first_without_points()
    {
        var task = MadeTask(Priority.Spoed, new DateOnly(2027, 4, 1));
        var now = new DateTimeOffset(2027, 4, 1, 22, 0, 0, TimeSpan.Zero); // Friday 2 April, 00:00 in Amsterdam

        var escalated = EscalationRules.Escalate(task, Default, now);

        Assert.Equal("t-0123456789abcdef0123-1-r2", escalated.TaskId);
        Assert.Equal(2, escalated.Revision);
        Assert.Equal((task.CaseId, task.Priority, task.Score, task.Team, task.Channel, task.PolicyVersion, task.Area), (escalated.CaseId, escalated.Priority, escalated.Score, escalated.Team, escalated.Channel, escalated.PolicyVersion, escalated.Area));
        Assert.Equal(task.SignalIds, escalated.SignalIds);
        Assert.Equal(["ESCALATED_OVERDUE", "CRISIS", "WOONLASTEN"], escalated.Reasons.Select(r => r.Code).ToArray());
        Assert.Equal(new TriageReason("ESCALATED_OVERDUE", "Geen contactpoging vóór de uiterste datum 1-4-2027: opnieuw uitgezet (escalatie)", 0), escalated.Reasons[0]);
        Assert.Equal((now, now), (escalated.CreatedAt, escalated.EarliestSignalReceivedAt));
    }

    [Fact]
    public void The_escalation_revision_is_due_by_the_norm_of_its_priority_counted_from_the_day_of_escalation()
    {
        var friday = new DateTimeOffset(2027, 4, 1, 22, 0, 0, TimeSpan.Zero); // Friday 2 April 2027 in Amsterdam

        Assert.Equal(new DateOnly(2027, 4, 7), EscalationRules.Escalate(MadeTask(Priority.Spoed, new DateOnly(2027, 4, 1)), Default, friday).DueDate); // Mon 5, Tue 6, Wed 7
        Assert.Equal(new DateOnly(2027, 4, 16), EscalationRules.Escalate(MadeTask(Priority.Normaal, new DateOnly(2027, 4, 1)), Default, friday).DueDate); // + 14 days
        var ownNorm = new GemeentePolicy { DueDays = 10, SpoedDueWorkingDays = 2 };
        Assert.Equal(new DateOnly(2027, 4, 12), EscalationRules.Escalate(MadeTask(Priority.Laag, new DateOnly(2027, 4, 1)), ownNorm, friday).DueDate); // + 10 days is Monday 12
        Assert.Equal(new DateOnly(2027, 4, 6), EscalationRules.Escalate(MadeTask(Priority.Spoed, new DateOnly(2027, 4, 1)), ownNorm, friday).DueDate);
    }

    [Fact]
    public void A_second_escalation_replaces_the_first_escalation_reason_with_the_date_missed_this_time()
    {
        var first = EscalationRules.Escalate(MadeTask(Priority.Spoed, new DateOnly(2027, 4, 1)), Default, new DateTimeOffset(2027, 4, 1, 22, 0, 0, TimeSpan.Zero));

        var second = EscalationRules.Escalate(first, Default, new DateTimeOffset(2027, 4, 7, 22, 0, 0, TimeSpan.Zero));

        Assert.Equal(3, second.Revision);
        Assert.Equal(["ESCALATED_OVERDUE", "CRISIS", "WOONLASTEN"], second.Reasons.Select(r => r.Code).ToArray());
        Assert.Contains("7-4-2027", second.Reasons[0].Text, StringComparison.Ordinal);
        Assert.Equal(new DateOnly(2027, 4, 13), second.DueDate); // Fri 9, Mon 12, Tue 13
    }

    // The ./run.sh month makes every task on the day of the run: none of them may be overdue that day, whatever the
    // priority, the day of the year or the gemeente's norm (even a norm of 0 days).
    [Fact]
    public void No_task_is_overdue_on_the_day_it_is_made_for_any_priority_date_or_norm()
    {
        var policies = new[] { Default, new GemeentePolicy { DueDays = 0, SpoedDueWorkingDays = 0 }, new GemeentePolicy { DueDays = 1, SpoedDueWorkingDays = 1 } };
        for (var day = new DateOnly(2026, 1, 1); day <= new DateOnly(2027, 12, 31); day = day.AddDays(1))
        {
            foreach (var policy in policies)
            {
                foreach (var priority in Enum.GetValues<Priority>())
                {
                    var due = TriagePolicy.DueDate(priority, day, policy);
                    var lastMoment = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(23, 59, 59)), Amsterdam)); // 23:59:59 that day in Amsterdam
                    Assert.False(EscalationRules.IsOverdue(due, lastMoment), $"{priority} made on {day} is overdue that day");
                }
            }
        }
    }

    [Fact]
    public void The_case_carries_the_due_date_of_its_latest_task()
    {
        var snapshot = Snapshot(Signal("s1", "corporatie-1", PartnerType.Huur, 1000m, D(11, 1)));

        var update = Assert.IsType<CaseDecision.Update>(CaseComposer.Decide(snapshot, Default, Now));

        Assert.NotNull(update.Outreach);
        Assert.Equal(update.Outreach!.Triage.DueDate, update.Case.DueDate);
    }
}
