using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Triage;
using static VroegSignalering.Core.Tests.Households.HouseholdData;

namespace VroegSignalering.Core.Tests.Households;

public class CaseComposerTests
{
    private static readonly GemeentePolicy Default = new();

    private static CaseDecision.Update Update(HouseholdSnapshot snapshot, GemeentePolicy? policy = null, DateTimeOffset? now = null) =>
        Assert.IsType<CaseDecision.Update>(CaseComposer.Decide(snapshot, policy ?? Default, now ?? Now));

    /// <summary>A household with one rent signal of EUR 1,000 on 1 November, triaged into case 1 with task revision 1.</summary>
    private static HouseholdSnapshot TriagedRentCase(GemeentePolicy? policy = null)
    {
        var first = Snapshot(Signal("s1", "corporatie-1", PartnerType.Huur, 1000m, D(11, 1)));
        return Apply(first, Update(first, policy));
    }

    private static CaseDecision.Update After(HouseholdSnapshot snapshot, StoredSignal signal, GemeentePolicy? policy = null) =>
        Update(snapshot with { Signals = [.. snapshot.Signals, signal] }, policy);

    // One batch

    [Fact]
    public void Rent_energy_and_health_insurance_signals_in_one_batch_make_one_case_with_one_hoog_task()
    {
        var snapshot = Snapshot(
            Signal("s-huur", "corporatie-1", PartnerType.Huur, 950m, D(11, 10)),
            Signal("s-energie", "energie-1", PartnerType.Energie, 420m, D(11, 12)),
            Signal("s-zorg", "zorgverzekeraar-1", PartnerType.CakZorgverzekeringen, 310m, D(11, 16)));

        var (_, updates) = HouseholdData.Settle(snapshot, Default);

        var update = Assert.Single(updates);
        Assert.True(update.CaseIsNew);
        Assert.Equal(3, update.Joined.Count);
        Assert.Equal(3, update.Case.SignalIds.Count);
        var plan = Assert.IsType<OutreachPlan>(update.Outreach);
        Assert.Equal(1, plan.Revision);
        Assert.True(plan.Triage.Priority >= Priority.Hoog, $"priority {plan.Triage.Priority}");
        Assert.Contains(plan.Triage.Reasons, r => r.Code == "STAPELING_3");
        Assert.Equal(3, plan.Signals.Count);
        Assert.Equal(CaseStatus.Triaged, update.Case.Status);
        Assert.Equal(plan.TaskId, update.Case.LastTaskId);
        Assert.Equal(plan.Triage.Priority, update.Case.Priority);
        Assert.Equal(plan.Triage.Score, update.Case.Score);
    }

    [Fact]
    public void The_first_case_of_a_household_is_numbered_one()
    {
        var update = Update(Snapshot(Signal("s1")));

        Assert.Equal(1, update.Case.Sequence);
        Assert.Equal(CaseComposer.CaseId(HouseholdKey, 1), update.Case.CaseId);
        Assert.Equal(1, update.Head.CaseSequence);
        Assert.Equal(update.Case.CaseId, update.Head.LatestCaseId);
        Assert.Equal(Centrum, update.Case.Area);
        Assert.Equal(D(11, 16), update.Case.FirstSignaaldatum);
    }

    [Fact]
    public void Nothing_is_decided_when_every_signal_already_belongs_to_a_case()
    {
        var snapshot = TriagedRentCase();

        Assert.IsType<CaseDecision.Nothing>(CaseComposer.Decide(snapshot, Default, Now));
    }

    // Window

    [Theory]
    [InlineData(14)]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_signal_within_the_window_of_the_cases_last_signal_joins_that_case(int daysAfter)
    {
        var snapshot = TriagedRentCase();

        var update = After(snapshot, Signal("s2", "energie-1", PartnerType.Energie, 200m, D(11, 1).AddDays(daysAfter)));

        Assert.False(update.CaseIsNew);
        Assert.Equal(CaseComposer.CaseId(HouseholdKey, 1), update.Case.CaseId);
        Assert.Equal(["s1", "s2"], update.Case.SignalIds);
    }

    [Fact]
    public void A_signal_beyond_the_window_starts_a_new_case()
    {
        var snapshot = TriagedRentCase();

        var update = After(snapshot, Signal("s2", "energie-1", PartnerType.Energie, 200m, D(11, 16)));

        Assert.True(update.CaseIsNew);
        Assert.Equal(2, update.Case.Sequence);
        Assert.Equal(CaseComposer.CaseId(HouseholdKey, 2), update.Case.CaseId);
        Assert.Equal(["s2"], update.Case.SignalIds);
        Assert.Equal(2, update.Head.CaseSequence);
        var plan = Assert.IsType<OutreachPlan>(update.Outreach);
        Assert.Equal(1, plan.Revision);
        Assert.DoesNotContain(plan.Triage.Reasons, r => r.Code.StartsWith("STAPELING", StringComparison.Ordinal));
    }

    [Fact]
    public void The_window_is_a_gemeente_setting()
    {
        var policy = new GemeentePolicy { WindowDays = 30 };
        var snapshot = TriagedRentCase(policy);

        var update = After(snapshot, Signal("s2", "energie-1", PartnerType.Energie, 200m, D(12, 1)), policy);

        Assert.False(update.CaseIsNew);
    }

    [Fact]
    public void Signals_of_one_batch_further_apart_than_the_window_end_up_in_two_cases()
    {
        var snapshot = Snapshot(
            Signal("s1", "corporatie-1", PartnerType.Huur, 900m, D(10, 1)),
            Signal("s2", "energie-1", PartnerType.Energie, 300m, D(11, 16)));

        var first = Update(snapshot);
        Assert.Equal(["s1"], first.Joined.Select(s => s.SignalId));

        var (_, updates) = HouseholdData.Settle(snapshot, Default);

        Assert.Equal(2, updates.Count);
        Assert.Equal(["s1"], updates[0].Case.SignalIds);
        Assert.Equal(["s2"], updates[1].Case.SignalIds);
        Assert.NotEqual(updates[0].Case.CaseId, updates[1].Case.CaseId);
        Assert.All(updates, u => Assert.NotNull(u.Outreach));
    }

    [Fact]
    public void A_closed_case_is_never_reopened_by_a_new_signal()
    {
        var snapshot = TriagedRentCase();
        var closed = snapshot.Cases[0].Value.MoveTo(CaseStatus.Closed, Now, "Definitief geen contact kunnen krijgen");
        snapshot = snapshot with { Cases = [new Versioned<HouseholdCase>(closed, "etag-closed")] };

        var update = After(snapshot, Signal("s2", "energie-1", PartnerType.Energie, 200m, D(11, 3)));

        Assert.True(update.CaseIsNew);
        Assert.Equal(2, update.Case.Sequence);
    }

    [Fact]
    public void A_signal_joins_the_open_case_nearest_in_date_not_the_one_opened_last()
    {
        // Case 1 holds a signal of 1 October, case 2 (opened later) one of 30 October. A signal of 5 October is
        // within the window of case 1 only, and joins it, although case 2 is the one opened last.
        var early = Snapshot(Signal("s-early", "corporatie-1", PartnerType.Huur, 900m, D(10, 1)));
        early = Apply(early, Update(early));
        var lateSignal = Signal("s-late", "energie-1", PartnerType.Energie, 300m, D(10, 30));
        var late = After(early, lateSignal);
        Assert.True(late.CaseIsNew);
        var snapshot = Apply(early with { Signals = [.. early.Signals, lateSignal] }, late);

        var update = After(snapshot, Signal("s-next", "water-1", PartnerType.Water, 90m, D(10, 5)));

        Assert.False(update.CaseIsNew);
        Assert.Equal(["s-early", "s-next"], update.Case.SignalIds);
        Assert.Equal(1, update.Case.Sequence);
    }

    [Fact]
    public void Of_two_open_cases_in_the_window_the_signal_joins_the_nearer_one()
    {
        // Case 1: 1 October; case 2: 24 October. A signal of 12 October is 11 days from case 1 and 12 from case 2,
        // and joins case 1; one of 13 October (12 and 11 days) joins case 2.
        var early = Snapshot(Signal("s-early", "corporatie-1", PartnerType.Huur, 900m, D(10, 1)));
        early = Apply(early, Update(early));
        var lateSignal = Signal("s-late", "energie-1", PartnerType.Energie, 300m, D(10, 24));
        var snapshot = Apply(early with { Signals = [.. early.Signals, lateSignal] }, After(early, lateSignal));

        Assert.Equal(1, After(snapshot, Signal("s-12", "water-1", PartnerType.Water, 90m, D(10, 12))).Case.Sequence);
        Assert.Equal(2, After(snapshot, Signal("s-13", "water-1", PartnerType.Water, 90m, D(10, 13))).Case.Sequence);
    }

    [Fact]
    public void Urgent_signals_of_two_chunks_give_the_same_cases_and_tasks_whichever_is_triaged_first()
    {
        // Two crisis signals 20 days apart, each in its own chunk and triaged by the fast path, and an ordinary signal
        // near the first one that the batch triages afterwards. Crisis runs in either order must end the same.
        var first = Signal("u-1", "corporatie-1", PartnerType.Huur, 1500m, D(10, 20), crisis: true);
        var second = Signal("u-2", "energie-1", PartnerType.Energie, 400m, D(11, 9), crisis: true);
        var ordinary = Signal("o-1", "water-1", PartnerType.Water, 80m, D(10, 25));

        (string[] Cases, string[] Tasks) Run(params StoredSignal[] urgentOrder)
        {
            var snapshot = Snapshot();
            foreach (var urgent in urgentOrder)
            {
                snapshot = snapshot with { Signals = [.. snapshot.Signals, urgent] };
                var only = new HashSet<string>([urgent.SignalId], StringComparer.Ordinal);
                snapshot = Apply(snapshot, CaseComposer.Decide(snapshot, Default, Now, urgentOnly: true, only: only));
            }

            snapshot = snapshot with { Signals = [.. snapshot.Signals, ordinary] };
            var (settled, updates) = HouseholdData.Settle(snapshot, Default);
            var cases = settled.Cases.Select(c => string.Join("+", c.Value.SignalIds.Order(StringComparer.Ordinal)) + $" r{c.Value.Revision} {c.Value.Priority}")
                .Order(StringComparer.Ordinal).ToArray();
            var tasks = updates.Where(u => u.Outreach is not null).Select(u => $"{u.Outreach!.Triage.Priority}").Order(StringComparer.Ordinal).ToArray();
            return (cases, tasks);
        }

        var forward = Run(first, second);
        var backward = Run(second, first);

        Assert.Equal(forward.Cases, backward.Cases);
        Assert.Equal(forward.Tasks, backward.Tasks);
        Assert.Contains($"{ordinary.SignalId}+{first.SignalId} r2 Spoed", forward.Cases);
    }

    [Fact]
    public void Two_urgent_signals_of_one_creditor_in_two_chunks_give_the_same_tasks_and_repeats_whichever_is_triaged_first()
    {
        // The second amount is 20% above the first: judged by arrival, the later one "grew" in one order and not in the other.
        var lower = Signal("u-low", "energie-1", PartnerType.Energie, 1000m, D(11, 2), crisis: true);
        var higher = Signal("u-high", "energie-1", PartnerType.Energie, 1200m, D(11, 9), crisis: true);

        (int Tasks, int Repeats, string Last) Run(params StoredSignal[] order)
        {
            var snapshot = Snapshot();
            var tasks = 0;
            var repeats = 0;
            CaseDecision.Update? last = null;
            foreach (var urgent in order)
            {
                snapshot = snapshot with { Signals = [.. snapshot.Signals, urgent] };
                last = Assert.IsType<CaseDecision.Update>(CaseComposer.Decide(snapshot, Default, Now, urgentOnly: true, only: new HashSet<string>([urgent.SignalId], StringComparer.Ordinal)));
                tasks += last.Outreach is null ? 0 : 1;
                repeats += last.RepeatsWithoutTask;
                snapshot = Apply(snapshot, last);
            }

            return (tasks, repeats, $"r{last!.Case.Revision} {last.Case.Priority} {last.Case.Score}");
        }

        var forward = Run(lower, higher);

        Assert.Equal(forward, Run(higher, lower));
        Assert.Equal((2, 0), (forward.Tasks, forward.Repeats));
    }

    [Fact]
    public void An_urgent_repeat_in_a_case_that_is_already_spoed_makes_a_new_revision()
    {
        var crisis = Snapshot(Signal("s1", "corporatie-1", PartnerType.Huur, 1000m, D(11, 1), crisis: true));
        crisis = Apply(crisis, Update(crisis));
        Assert.Equal(Priority.Spoed, crisis.Cases[0].Value.Priority);

        var update = After(crisis, Signal("s2", "corporatie-1", PartnerType.Huur, 900m, D(11, 8), crisis: true));

        Assert.Equal(2, Assert.IsType<OutreachPlan>(update.Outreach).Revision);
        Assert.Equal(0, update.RepeatsWithoutTask);
    }

    [Fact]
    public void An_urgent_repeat_in_the_first_batch_is_not_counted_as_a_repeat_without_task()
    {
        var update = Update(Snapshot(
            Signal("s1", "corporatie-1", PartnerType.Huur, 1000m, D(11, 1), crisis: true),
            Signal("s2", "corporatie-1", PartnerType.Huur, 900m, D(11, 8), crisis: true),
            Signal("s3", "corporatie-1", PartnerType.Huur, 900m, D(11, 9))));

        Assert.Equal(1, Assert.IsType<OutreachPlan>(update.Outreach).Revision);
        Assert.Equal(1, update.RepeatsWithoutTask);
    }

    // Repeats

    [Theory]
    [InlineData(900)]
    [InlineData(1000)]
    [InlineData(1099.99)]
    public void A_repeat_from_the_same_creditor_that_did_not_grow_enough_creates_no_task(decimal amount)
    {
        var snapshot = TriagedRentCase();

        var update = After(snapshot, Signal("s2", "corporatie-1", PartnerType.Huur, amount, D(11, 10)));

        Assert.False(update.CaseIsNew);
        Assert.Null(update.Outreach);
        Assert.Equal(1, update.RepeatsWithoutTask);
        Assert.Equal(1, update.Case.RepeatsWithoutTask);
        Assert.Equal(1, update.Case.Revision);
        Assert.Equal(snapshot.Cases[0].Value.LastTaskId, update.Case.LastTaskId);
        Assert.Contains("s2", update.Case.SignalIds);
    }

    [Fact]
    public void Repeats_without_a_task_are_counted_across_steps()
    {
        var triaged = TriagedRentCase();
        var withSecond = triaged with { Signals = [.. triaged.Signals, Signal("s2", "corporatie-1", PartnerType.Huur, 950m, D(11, 8))] };
        var second = Update(withSecond);
        Assert.Equal(1, second.RepeatsWithoutTask);
        var snapshot = Apply(withSecond, second);

        var third = After(snapshot, Signal("s3", "corporatie-1", PartnerType.Huur, 980m, D(11, 15)));

        Assert.Equal(1, third.RepeatsWithoutTask);
        Assert.Equal(2, third.Case.RepeatsWithoutTask);
    }

    [Fact]
    public void A_repeat_whose_amount_grew_by_the_growth_percentage_creates_a_new_revision()
    {
        var snapshot = TriagedRentCase();
        var firstTask = snapshot.Cases[0].Value.LastTaskId;

        var update = After(snapshot, Signal("s2", "corporatie-1", PartnerType.Huur, 1100m, D(11, 10)));

        var plan = Assert.IsType<OutreachPlan>(update.Outreach);
        Assert.Equal(2, plan.Revision);
        Assert.Equal(2, update.Case.Revision);
        Assert.NotEqual(firstTask, plan.TaskId);
        Assert.Equal(CaseComposer.TaskId(update.Case.CaseId, 2), plan.TaskId);
        Assert.Equal(0, update.RepeatsWithoutTask);
        Assert.Contains(plan.Triage.Reasons, r => r.Code == "GROEI");
    }

    [Theory]
    [InlineData(1249.99, false)]
    [InlineData(1250, true)]
    public void The_growth_percentage_is_a_gemeente_setting(decimal amount, bool newRevision)
    {
        var policy = new GemeentePolicy { RepeatGrowthPercent = 25m };
        var snapshot = TriagedRentCase(policy);

        var update = After(snapshot, Signal("s2", "corporatie-1", PartnerType.Huur, amount, D(11, 10)), policy);

        Assert.Equal(newRevision, update.Outreach is not null);
        Assert.Equal(newRevision ? 0 : 1, update.RepeatsWithoutTask);
    }

    [Fact]
    public void A_new_creditor_creates_a_new_revision()
    {
        var snapshot = TriagedRentCase();

        var update = After(snapshot, Signal("s2", "energie-1", PartnerType.Energie, 150m, D(11, 10)));

        var plan = Assert.IsType<OutreachPlan>(update.Outreach);
        Assert.Equal(2, plan.Revision);
        Assert.Contains(plan.Triage.Reasons, r => r.Code == "STAPELING_2");
        Assert.Equal(["s1", "s2"], plan.Signals.Select(s => s.SignalId).Order(StringComparer.Ordinal));
        Assert.Equal(CaseStatus.Triaged, update.Case.Status);
    }

    [Fact]
    public void A_repeat_that_turns_the_case_urgent_creates_a_new_revision_even_when_lower()
    {
        var snapshot = TriagedRentCase();

        var update = After(snapshot, Signal("s2", "corporatie-1", PartnerType.Huur, 700m, D(11, 10), crisis: true));

        var plan = Assert.IsType<OutreachPlan>(update.Outreach);
        Assert.Equal(Priority.Spoed, plan.Triage.Priority);
        Assert.Equal(Priority.Spoed, update.Case.Priority);
    }

    [Fact]
    public void A_new_revision_is_allowed_after_the_task_was_dispatched_or_contact_was_made()
    {
        foreach (var status in new[] { CaseStatus.TaskDispatched, CaseStatus.InContact })
        {
            var snapshot = TriagedRentCase();
            var moved = snapshot.Cases[0].Value.MoveTo(status, Now);
            snapshot = snapshot with { Cases = [new Versioned<HouseholdCase>(moved, "etag")] };

            var update = After(snapshot, Signal("s2", "energie-1", PartnerType.Energie, 150m, D(11, 10)));

            Assert.NotNull(update.Outreach);
            Assert.Equal(CaseStatus.Triaged, update.Case.Status);
        }
    }

    // Settle wait

    [Fact]
    public void A_fresh_non_urgent_signal_waits_for_the_rest_of_its_batch()
    {
        var storedAt = Now.AddSeconds(-30);

        var decision = CaseComposer.Decide(Snapshot(Signal("s1", storedAt: storedAt)), Default, Now);

        var wait = Assert.IsType<CaseDecision.Wait>(decision);
        Assert.Equal(storedAt.AddSeconds(120), wait.Until);
    }

    [Fact]
    public void The_wait_ends_at_the_settle_time_after_the_newest_signal()
    {
        var snapshot = Snapshot(Signal("s1", storedAt: Now.AddSeconds(-200)), Signal("s2", "energie-1", PartnerType.Energie, storedAt: Now.AddSeconds(-100)));

        Assert.Equal(Now.AddSeconds(20), Assert.IsType<CaseDecision.Wait>(CaseComposer.Decide(snapshot, Default, Now)).Until);
        Assert.IsType<CaseDecision.Update>(CaseComposer.Decide(snapshot, Default, Now.AddSeconds(20)));
    }

    [Fact]
    public void The_settle_time_is_a_gemeente_setting()
    {
        var policy = new GemeentePolicy { SettleSeconds = 600 };

        var decision = CaseComposer.Decide(Snapshot(Signal("s1", storedAt: Now.AddSeconds(-300))), policy, Now);

        Assert.Equal(Now.AddSeconds(300), Assert.IsType<CaseDecision.Wait>(decision).Until);
    }

    [Fact]
    public void A_crisis_signal_skips_the_settle_wait()
    {
        var update = Update(Snapshot(Signal("s1", crisis: true, storedAt: Now.AddSeconds(-1))));

        var plan = Assert.IsType<OutreachPlan>(update.Outreach);
        Assert.Equal(Priority.Spoed, plan.Triage.Priority);
    }

    [Fact]
    public void An_imminent_end_of_supply_skips_the_settle_wait()
    {
        var signal = Signal("s1", "energie-1", PartnerType.Energie, 600m, eindelevering: Today.AddDays(10), storedAt: Now.AddSeconds(-1));

        var update = Update(Snapshot(signal));

        var plan = Assert.IsType<OutreachPlan>(update.Outreach);
        Assert.Equal(Priority.Spoed, plan.Triage.Priority);
        Assert.Contains(plan.Triage.Reasons, r => r.Code == "AFSLUITING_DREIGT");
    }

    [Fact]
    public void A_distant_end_of_supply_waits_like_any_other_signal()
    {
        var signal = Signal("s1", "energie-1", PartnerType.Energie, 600m, eindelevering: Today.AddDays(90), storedAt: Now.AddSeconds(-1));

        Assert.IsType<CaseDecision.Wait>(CaseComposer.Decide(Snapshot(signal), Default, Now));
    }

    [Fact]
    public void An_urgent_only_pass_ignores_non_urgent_signals_and_takes_urgent_ones()
    {
        Assert.IsType<CaseDecision.Nothing>(CaseComposer.Decide(Snapshot(Signal("s1")), Default, Now, urgentOnly: true));
        Assert.IsType<CaseDecision.Update>(CaseComposer.Decide(Snapshot(Signal("s1", crisis: true)), Default, Now, urgentOnly: true));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Crisis_and_imminent_cut_offs_are_urgent(bool crisis, bool imminentCutOff)
    {
        var signal = Signal("s1", "energie-1", PartnerType.Energie, crisis: crisis, eindelevering: imminentCutOff ? Today.AddDays(7) : null);

        Assert.True(CaseComposer.IsUrgent(signal, Today, Default));
        Assert.False(CaseComposer.IsUrgent(Signal("s2"), Today, Default));
    }

    // Minimum amount

    [Fact]
    public void A_signal_under_the_minimum_amount_is_counted_and_creates_no_task()
    {
        var policy = new GemeentePolicy { MinimumAmount = 75m };

        var update = Update(Snapshot(Signal("s1", bedrag: 50m)), policy);

        Assert.True(update.CaseIsNew);
        Assert.Null(update.Outreach);
        Assert.Equal(1, update.BelowMinimumAmount);
        Assert.Equal(1, update.Case.BelowMinimumAmount);
        Assert.Equal(CaseStatus.New, update.Case.Status);
        Assert.Null(update.Case.LastTaskId);
        Assert.Equal(["s1"], update.Case.SignalIds);
    }

    [Fact]
    public void Signals_at_the_minimum_amount_count_and_those_under_it_are_left_out_of_the_task()
    {
        var policy = new GemeentePolicy { MinimumAmount = 75m };

        var update = Update(Snapshot(Signal("s1", "corporatie-1", bedrag: 50m), Signal("s2", "energie-1", PartnerType.Energie, 75m)), policy);

        var plan = Assert.IsType<OutreachPlan>(update.Outreach);
        Assert.Equal(["s2"], plan.Signals.Select(s => s.SignalId));
        Assert.Equal(1, update.BelowMinimumAmount);
        Assert.Equal(["s1", "s2"], update.Case.SignalIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Without_a_minimum_amount_small_signals_create_a_task()
    {
        var update = Update(Snapshot(Signal("s1", bedrag: 5m)));

        Assert.NotNull(update.Outreach);
        Assert.Equal(0, update.BelowMinimumAmount);
    }

    // Task ids

    [Fact]
    public void Task_ids_are_deterministic_from_case_and_revision()
    {
        var snapshot = Snapshot(Signal("s1"), Signal("s2", "energie-1", PartnerType.Energie, 300m));

        var a = Update(snapshot);
        var b = Update(snapshot);

        Assert.Equal(a.Outreach!.TaskId, b.Outreach!.TaskId);
        Assert.Equal(a.Case.CaseId, b.Case.CaseId);
        Assert.Equal(CaseComposer.TaskId(a.Case.CaseId, 1), a.Outreach.TaskId);
        Assert.Equal("t-" + a.Case.CaseId[2..] + "-r1", a.Outreach.TaskId);
    }

    [Fact]
    public void Different_revisions_and_cases_have_different_task_ids()
    {
        var caseOne = CaseComposer.CaseId(HouseholdKey, 1);
        var caseTwo = CaseComposer.CaseId(HouseholdKey, 2);

        var ids = new[]
        {
            CaseComposer.TaskId(caseOne, 1), CaseComposer.TaskId(caseOne, 2), CaseComposer.TaskId(caseTwo, 1), CaseComposer.TaskId(caseTwo, 2),
        };

        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_plan_remembers_when_its_earliest_signal_was_received()
    {
        var snapshot = Snapshot(
            Signal("s1", receivedAt: Now.AddHours(-3)),
            Signal("s2", "energie-1", PartnerType.Energie, receivedAt: Now.AddHours(-2)));

        Assert.Equal(Now.AddHours(-3), Update(snapshot).Outreach!.EarliestSignalReceivedAt);
    }

    // Teams

    [Fact]
    public void Young_adults_are_routed_to_the_youth_team_when_the_gemeente_has_one()
    {
        var policy = new GemeentePolicy { YouthRoute = new AgeRoute() };

        Assert.Equal("jongerenteam", Update(Snapshot(Signal("s1", ageYears: 22)), policy).Outreach!.Team);
        Assert.Equal("schuldhulpverlening", Update(Snapshot(Signal("s1", ageYears: 28)), policy).Outreach!.Team);
        Assert.Equal("schuldhulpverlening", Update(Snapshot(Signal("s1", ageYears: 22))).Outreach!.Team);
    }

    [Fact]
    public void A_wijk_team_takes_signals_from_its_wijk()
    {
        var policy = new GemeentePolicy { TeamsByWijk = { ["036301"] = "wijkteam-centrum" } };

        Assert.Equal("wijkteam-centrum", Update(Snapshot(Signal("s1")), policy).Outreach!.Team);
        Assert.Equal("schuldhulpverlening", Update(Snapshot(Signal("s1", area: new AreaCodes("0363", "036302", "03630201"))), policy).Outreach!.Team);
    }

    // Facts

    [Fact]
    public void Facts_carry_the_highest_earlier_amount_of_the_same_creditor()
    {
        var facts = CaseComposer.Facts(
        [
            Signal("s3", "corporatie-1", bedrag: 1200m, signaaldatum: D(11, 16)),
            Signal("s1", "corporatie-1", bedrag: 1000m, signaaldatum: D(10, 1)),
            Signal("s2", "corporatie-1", bedrag: 900m, signaaldatum: D(10, 20)),
            Signal("s4", "energie-1", PartnerType.Energie, 300m, D(11, 1)),
        ]);

        Assert.Equal([1000m, 900m, 300m, 1200m], facts.Select(f => f.Bedrag));
        Assert.Equal([null, 1000m, null, 1000m], facts.Select(f => f.EerderBedrag));
    }

    [Fact]
    public void Facts_copy_only_the_arrears_of_a_signal()
    {
        var s = Signal("s1", "energie-1", PartnerType.Energie, 432.10m, D(11, 2), D(9, 1), crisis: true, warm: true, eindelevering: D(12, 24));

        var fact = Assert.Single(CaseComposer.Facts([s]));

        Assert.Equal(new ArrearsFact("energie-1", PartnerType.Energie, 432.10m, D(9, 1), D(11, 2), true, true, D(12, 24), null), fact);
    }
}
