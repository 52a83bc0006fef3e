using System.Globalization;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Core.Retention;
using static VroegSignalering.Core.Tests.Retention.RetentionData;

namespace VroegSignalering.Core.Tests.Retention;

/// <summary>What a purge keeps: the counts of what it deleted, which reports and DDAS counts add to what is still stored.</summary>
public sealed class RetainedCountsTests
{
    private static readonly DateTimeOffset Later = ClosedAt.AddDays(200);

    // Another household in the same gemeente whose case is still open: it stays.
    private static readonly HouseholdRows Open = Household1(closed: false, caseId: "c-0badc0ffee-1", taskId: "t-0badc0ffee-1-r1", signalPrefix: "s-bakker") with { HouseholdKey = "0badc0ffee" };

    [Fact]
    public void The_report_of_what_stays_plus_what_the_purge_counted_equals_the_report_before_the_purge()
    {
        var purged = Household1();
        var counts = RetentionPlanner.PlanHousehold(purged, new RetentionOptions(), Later).Counts;

        var before = RunReportBuilder.Build(Observe(purged, Open), Later);
        var after = RunReportBuilder.Build(Observe(Open) with { Retained = counts }, Later);

        Assert.Equal(Figures(before), Figures(after));
        Assert.NotEqual(Figures(before), Figures(RunReportBuilder.Build(Observe(Open), Later)));
    }

    [Fact]
    public void The_ddas_counts_of_a_closed_period_are_the_same_from_what_stays_plus_what_the_purge_counted()
    {
        var purged = Household1();
        var counts = RetentionPlanner.PlanHousehold(purged, new RetentionOptions(), Later).Counts;
        var request = new DdasExportRequest("0363", new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31), Later, "GM0363", new DdasOrganisatie("Gemeente", null, null));

        var before = DdasPeriodCounts.Of(DdasExport.Build(request, Source(purged, Open)), [.. purged.Attempts, .. Open.Attempts]);
        var after = counts.AddTo(DdasPeriodCounts.Of(DdasExport.Build(request, Source(Open)), Open.Attempts));

        Assert.Equal(before.Describe(), after.Describe());
        Assert.True(before.Vroegsignalen == 4 && before.Vroegsignaalzaken == 2 && before.Contactpogingen == 4 && before.VroegsignaalzakenByResultaat.Count == 1, before.Describe());
    }

    [Fact]
    public void A_period_the_purged_case_never_ran_through_gets_nothing_from_it()
    {
        var counts = RetentionPlanner.PlanHousehold(Household1(), new RetentionOptions(), Later).Counts;
        var request = new DdasExportRequest("0363", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30), Later, "GM0363", new DdasOrganisatie("Gemeente", null, null));

        var june = counts.AddTo(DdasPeriodCounts.Of(DdasExport.Build(request, Source()), []));

        Assert.Equal(0, june.Vroegsignaalzaken + june.Vroegsignalen + june.Contactpogingen);
    }

    [Fact]
    public void A_purged_case_worked_by_letter_only_counts_under_letters_only_and_under_brief_as_it_did_before()
    {
        // The report puts a case whose attempts were all letters in "Alleen brief" and in the "Brief" group both.
        var household = Household1();
        var letter = household.Attempts[0] with { Soort = "Brief", Bereikt = false };
        var purged = household with { Attempts = [letter] };
        var counts = RetentionPlanner.PlanHousehold(purged, new RetentionOptions(), Later).Counts;

        var before = RunReportBuilder.Build(Observe(purged, Open), Later);
        var after = RunReportBuilder.Build(Observe(Open) with { Retained = counts }, Later);

        Assert.Equal(Figures(before), Figures(after));
        Assert.Equal(1, before.Outcomes.ReachByChannel["Brief"].Cases);
    }

    [Fact]
    public void Purged_feedback_items_still_count_as_sent_per_creditor()
    {
        var counts = new RetainedCounts();
        counts.AddFeedback("woonstad");
        counts.AddFeedback("woonstad");
        counts.AddFeedback("energie-1");
        var live = RunReportBuilder.Build(Observe(Open) with { FeedbackSentByCreditor = new Dictionary<string, int> { ["energie-1"] = 1 } }, Later);

        var after = RunReportBuilder.Build(Observe(Open) with { FeedbackSentByCreditor = new Dictionary<string, int> { ["energie-1"] = 1 }, Retained = counts }, Later);

        Assert.Equal(1, live.Outcomes.FeedbackSent);
        Assert.Equal(4, after.Outcomes.FeedbackSent);
        Assert.Equal(new Dictionary<string, int> { ["energie-1"] = 2, ["woonstad"] = 2 }, after.Outcomes.FeedbackSentByCreditor);
    }

    [Fact]
    public void What_a_purge_counts_holds_no_id_key_reference_amount_or_person_only_codes_enumerations_and_days()
    {
        var purged = Household1();
        var counts = RetentionPlanner.PlanHousehold(purged, new RetentionOptions(), Later).Counts;
        var personal = new[] { Household, "f00dface", "jansen", "REF-", "812", "woonstad", "energie-1", "person-", "p-1", "p-2" };

        Assert.NotEmpty(counts.Counts);
        Assert.All(counts.Counts.Keys, key =>
        {
            Assert.True(RetainedCounts.KeyIsNonPersonal(key), key);
            Assert.DoesNotContain(personal, p => key.Contains(p, StringComparison.OrdinalIgnoreCase));
        });
    }

    private static RunObservation Observe(params HouseholdRows[] households) => new(
        [], [], households.Sum(h => h.Signals.Count), [.. households.SelectMany(h => h.Cases)], [.. households.SelectMany(h => h.Signals)],
        [.. households.SelectMany(h => h.Tasks)], [.. households.SelectMany(h => h.Outbox)], new Dictionary<string, int>(), new Dictionary<string, int>(), 0)
    {
        Outcomes = [.. households.SelectMany(h => h.Outcomes)],
        Attempts = [.. households.SelectMany(h => h.Attempts)],
    };

    private static DdasExportSource Source(params HouseholdRows[] households) => new(
        [.. households.SelectMany(h => h.Cases)], [.. households.SelectMany(h => h.Signals)], [.. households.SelectMany(h => h.Tasks)], [.. households.SelectMany(h => h.Outbox)]);

    // The counts a purge must keep; timings (latency, throughput) describe only what is stored.
    private static string Figures(RunReport r) => string.Join(
        "\n",
        string.Create(CultureInfo.InvariantCulture, $"signals {r.SignalsStored}"),
        string.Create(CultureInfo.InvariantCulture, $"cases {r.Cases.Total} multi {r.Cases.WithMultipleCreditors} repeats {r.Cases.RepeatSignalsWithoutNewTask} below {r.Cases.SignalsBelowMinimumAmount}"),
        "status " + Join(r.Cases.ByStatus),
        "case gemeente " + Join(r.Cases.ByGemeente),
        string.Create(CultureInfo.InvariantCulture, $"tasks {r.Tasks.Total} revisions {r.Tasks.Revisions} dispatched {r.Tasks.Dispatched} pending {r.Tasks.Pending} failed {r.Tasks.Failed}"),
        "priority " + Join(r.Tasks.ByPriority),
        "task gemeente " + Join(r.Tasks.ByGemeente),
        "team " + Join(r.Tasks.ByTeam),
        "gemeente x priority " + string.Join("; ", r.Tasks.ByGemeenteAndPriority.Select(kv => kv.Key + ": " + Join(kv.Value))),
        string.Create(CultureInfo.InvariantCulture, $"quarantine {r.Quarantine.Total} ") + Join(r.Quarantine.ByReason),
        "funnel " + string.Join("; ", r.Outcomes.ByGemeente.Prepend(KeyValuePair.Create("total", r.Outcomes.Total)).Select(kv => kv.Key + ": " + kv.Value)),
        "reach by channel " + string.Join(", ", r.Outcomes.ReachByChannel.Select(kv => kv.Key + "=" + kv.Value)),
        string.Create(CultureInfo.InvariantCulture, $"attempts {r.Outcomes.ContactAttempts} declined {r.Outcomes.HelpDeclined} feedback {r.Outcomes.FeedbackSent} ") + Join(r.Outcomes.FeedbackSentByCreditor),
        "resultaat " + Join(r.Outcomes.ClosedByResultaat));

    private static string Join(IReadOnlyDictionary<string, int> d) => string.Join(", ", d.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}")));
}
