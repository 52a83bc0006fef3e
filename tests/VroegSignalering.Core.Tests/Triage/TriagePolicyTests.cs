using System.Globalization;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Triage;
using C = VroegSignalering.Core.Triage.TriagePolicy.Codes;

namespace VroegSignalering.Core.Tests.Triage;

public class TriagePolicyTests
{
    /// <summary>Friday 20 November 2026.</summary>
    private static readonly DateOnly Today = new(2026, 11, 20);

    private static DateOnly D(string iso) => DateOnly.Parse(iso, CultureInfo.InvariantCulture);

    /// <summary>A fact that earns no points on its own: Overige, EUR 100, ten days old.</summary>
    private static ArrearsFact Fact(
        string creditor = "C1",
        PartnerType type = PartnerType.Overige,
        decimal bedrag = 100m,
        int ageDays = 10,
        bool crisis = false,
        bool warm = false,
        DateOnly? eindelevering = null,
        decimal? eerder = null,
        int signalDaysAgo = 1) =>
        new(creditor, type, bedrag, Today.AddDays(-ageDays), Today.AddDays(-signalDaysAgo), crisis, warm, eindelevering, eerder);

    private static TriageResult Evaluate(params ArrearsFact[] facts) => TriagePolicy.Evaluate(facts, Today, new GemeentePolicy(), phoneKnown: false);

    private static TriageResult Evaluate(GemeentePolicy policy, params ArrearsFact[] facts) => TriagePolicy.Evaluate(facts, Today, policy, phoneKnown: false);

    private static string[] Codes(TriageResult r) => r.Reasons.Select(x => x.Code).ToArray();

    private static int Points(TriageResult r, string code) => Assert.Single(r.Reasons, x => x.Code == code).Points;

    [Fact]
    public void A_fact_without_any_signal_of_need_scores_zero_and_is_laag()
    {
        var r = Evaluate(Fact());

        Assert.Equal("triage-v1", r.PolicyVersion);
        Assert.Empty(r.Reasons);
        Assert.Equal(0, r.Score);
        Assert.Equal(Priority.Laag, r.Priority);
        Assert.Equal(ContactChannel.Huisbezoek, r.RecommendedChannel);
        Assert.Equal(D("2026-12-04"), r.DueDate);
    }

    [Fact]
    public void Triage_needs_at_least_one_fact()
    {
        Assert.Throws<ArgumentException>(() => TriagePolicy.Evaluate([], Today, new GemeentePolicy(), false));
    }

    // CRISIS

    [Fact]
    public void A_crisis_signal_gives_crisis_points_and_makes_the_case_spoed()
    {
        var r = Evaluate(Fact(crisis: true));

        Assert.Equal([C.Crisis], Codes(r));
        Assert.Equal(50, Points(r, C.Crisis));
        Assert.Equal(50, r.Score);
        Assert.Equal(Priority.Spoed, r.Priority);
        Assert.False(string.IsNullOrWhiteSpace(r.Reasons[0].Text));
    }

    [Fact]
    public void One_crisis_signal_among_several_is_enough_for_spoed()
    {
        var r = Evaluate(Fact("C1"), Fact("C2", crisis: true));

        Assert.Contains(C.Crisis, Codes(r));
        Assert.Equal(Priority.Spoed, r.Priority);
    }

    [Fact]
    public void Spoed_does_not_depend_on_the_score()
    {
        var policy = new GemeentePolicy { Weights = { [C.Crisis] = 0 } };

        var r = Evaluate(policy, Fact(crisis: true));

        Assert.Equal(0, r.Score);
        Assert.Equal(Priority.Spoed, r.Priority);
    }

    // AFSLUITING_DREIGT vs EINDELEVERING_GEPLAND

    [Fact]
    public void A_cut_off_within_twenty_working_days_is_afsluiting_dreigt_and_spoed()
    {
        var cutOff = DutchCalendar.AddWorkingDays(Today, 20);
        Assert.Equal(D("2026-12-18"), cutOff);

        var r = Evaluate(Fact(type: PartnerType.Energie, eindelevering: cutOff));

        Assert.Equal([C.AfsluitingDreigt, C.Nutsvoorziening], Codes(r));
        Assert.Equal(40, Points(r, C.AfsluitingDreigt));
        Assert.Equal(Priority.Spoed, r.Priority);
        Assert.Contains("18-12-2026", r.Reasons[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cut_off_beyond_twenty_working_days_is_eindelevering_gepland_and_not_spoed()
    {
        var cutOff = DutchCalendar.AddWorkingDays(Today, 21);

        var r = Evaluate(Fact(type: PartnerType.Energie, eindelevering: cutOff));

        Assert.Equal([C.EindeleveringGepland, C.Nutsvoorziening], Codes(r));
        Assert.Equal(20, Points(r, C.EindeleveringGepland));
        Assert.Equal(25, r.Score);
        Assert.Equal(Priority.Normaal, r.Priority);
        Assert.DoesNotContain(C.AfsluitingDreigt, Codes(r));
    }

    [Fact]
    public void The_lead_time_for_an_imminent_cut_off_is_a_gemeente_setting()
    {
        var policy = new GemeentePolicy { EndOfSupplyLeadWorkingDays = 5 };

        var within = Evaluate(policy, Fact(type: PartnerType.Water, eindelevering: D("2026-11-27")));
        var beyond = Evaluate(policy, Fact(type: PartnerType.Water, eindelevering: D("2026-11-30")));

        Assert.Contains(C.AfsluitingDreigt, Codes(within));
        Assert.Equal(Priority.Spoed, within.Priority);
        Assert.Contains(C.EindeleveringGepland, Codes(beyond));
        Assert.NotEqual(Priority.Spoed, beyond.Priority);
    }

    [Fact]
    public void The_earliest_cut_off_decides_and_only_one_end_of_supply_reason_is_given()
    {
        var r = Evaluate(
            Fact("E1", PartnerType.Energie, eindelevering: D("2027-03-01")),
            Fact("W1", PartnerType.Water, eindelevering: D("2026-12-01")));

        Assert.Contains(C.AfsluitingDreigt, Codes(r));
        Assert.DoesNotContain(C.EindeleveringGepland, Codes(r));
        Assert.Contains("1-12-2026", Assert.Single(r.Reasons, x => x.Code == C.AfsluitingDreigt).Text, StringComparison.Ordinal);
    }

    // STAPELING_n

    [Theory]
    [InlineData(2, "STAPELING_2", 20)]
    [InlineData(3, "STAPELING_3", 35)]
    [InlineData(4, "STAPELING_4", 45)]
    [InlineData(5, "STAPELING_5", 45)]
    [InlineData(7, "STAPELING_7", 45)]
    public void Several_creditors_give_stapeling_with_their_number(int creditors, string code, int points)
    {
        var facts = Enumerable.Range(1, creditors).Select(i => Fact($"C{i}", bedrag: 50m)).ToArray();

        var r = Evaluate(facts);

        var reason = Assert.Single(r.Reasons);
        Assert.Equal(code, reason.Code);
        Assert.Equal(points, reason.Points);
        Assert.Contains(creditors.ToString(CultureInfo.InvariantCulture), reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeat_signals_of_one_creditor_are_not_stapeling()
    {
        var r = Evaluate(Fact("C1", signalDaysAgo: 20), Fact("C1", signalDaysAgo: 1));

        Assert.DoesNotContain(r.Reasons, x => x.Code.StartsWith("STAPELING", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_creditors_of_the_same_type_are_stapeling()
    {
        var r = Evaluate(Fact("Corporatie-A", PartnerType.Huur), Fact("Verhuurder-B", PartnerType.Huur));

        Assert.Contains(C.Stapeling(2), Codes(r));
        Assert.Single(r.Reasons, x => x.Code == C.Woonlasten);
    }

    // WOONLASTEN, NUTSVOORZIENING, ZORGVERZEKERING

    [Theory]
    [InlineData(PartnerType.Huur, "WOONLASTEN", 10)]
    [InlineData(PartnerType.Hypotheek, "WOONLASTEN", 10)]
    [InlineData(PartnerType.Energie, "NUTSVOORZIENING", 5)]
    [InlineData(PartnerType.Water, "NUTSVOORZIENING", 5)]
    [InlineData(PartnerType.Zorg, "ZORGVERZEKERING", 3)]
    [InlineData(PartnerType.CakZorgverzekeringen, "ZORGVERZEKERING", 3)]
    public void The_kind_of_creditor_gives_its_reason(PartnerType type, string code, int points)
    {
        var r = Evaluate(Fact(type: type));

        var reason = Assert.Single(r.Reasons);
        Assert.Equal(code, reason.Code);
        Assert.Equal(points, reason.Points);
    }

    [Theory]
    [InlineData(PartnerType.Duo)]
    [InlineData(PartnerType.Belastingdienst)]
    [InlineData(PartnerType.CakEigenBijdrage)]
    [InlineData(PartnerType.Overige)]
    [InlineData(PartnerType.DienstToeslagen)]
    public void Other_creditors_give_no_type_reason(PartnerType type)
    {
        Assert.Empty(Evaluate(Fact(type: type)).Reasons);
    }

    [Fact]
    public void Each_type_reason_is_given_once_however_many_signals_carry_it()
    {
        var r = Evaluate(
            Fact("C1", PartnerType.Huur, bedrag: 50m), Fact("C2", PartnerType.Hypotheek, bedrag: 50m),
            Fact("C3", PartnerType.Energie, bedrag: 50m), Fact("C4", PartnerType.Water, bedrag: 50m),
            Fact("C5", PartnerType.Zorg, bedrag: 50m), Fact("C6", PartnerType.CakZorgverzekeringen, bedrag: 50m));

        Assert.Equal(Codes(r).Length, Codes(r).Distinct().Count());
        Assert.Contains(C.Woonlasten, Codes(r));
        Assert.Contains(C.Nutsvoorziening, Codes(r));
        Assert.Contains(C.Zorgverzekering, Codes(r));
    }

    // BEDRAG_*

    [Theory]
    [InlineData("499.99", null, 0)]
    [InlineData("500", "BEDRAG_500", 5)]
    [InlineData("1999.99", "BEDRAG_500", 5)]
    [InlineData("2000", "BEDRAG_2000", 12)]
    [InlineData("4999.99", "BEDRAG_2000", 12)]
    [InlineData("5000", "BEDRAG_5000", 20)]
    [InlineData("99999.99", "BEDRAG_5000", 20)]
    public void The_total_amount_gives_one_amount_reason_by_threshold(string amount, string? code, int points)
    {
        var r = Evaluate(Fact(bedrag: decimal.Parse(amount, CultureInfo.InvariantCulture)));

        var amountReasons = r.Reasons.Where(x => x.Code.StartsWith("BEDRAG_", StringComparison.Ordinal)).ToList();
        if (code is null)
        {
            Assert.Empty(amountReasons);
        }
        else
        {
            var reason = Assert.Single(amountReasons);
            Assert.Equal(code, reason.Code);
            Assert.Equal(points, reason.Points);
        }
    }

    [Fact]
    public void The_amounts_of_different_creditors_add_up()
    {
        var r = Evaluate(Fact("C1", bedrag: 1200m), Fact("C2", bedrag: 800.50m));

        var reason = Assert.Single(r.Reasons, x => x.Code == C.Bedrag2000);
        Assert.Equal("Totale achterstand € 2.000,50", reason.Text);
    }

    [Fact]
    public void A_repeat_signal_restates_its_creditors_amount_instead_of_adding_to_it()
    {
        var grown = Evaluate(Fact("C1", bedrag: 1500m, signalDaysAgo: 30), Fact("C1", bedrag: 1800m, signalDaysAgo: 1));
        var shrunk = Evaluate(Fact("C1", bedrag: 2500m, signalDaysAgo: 30), Fact("C1", bedrag: 600m, signalDaysAgo: 1));

        Assert.Contains(C.Bedrag500, Codes(grown));
        Assert.Contains("€ 1.800,00", Assert.Single(grown.Reasons, x => x.Code == C.Bedrag500).Text, StringComparison.Ordinal);
        Assert.Contains(C.Bedrag500, Codes(shrunk));
        Assert.DoesNotContain(C.Bedrag2000, Codes(shrunk));
    }

    // DUUR_*

    [Theory]
    [InlineData(59, null, 0)]
    [InlineData(60, "DUUR_60", 8)]
    [InlineData(89, "DUUR_60", 8)]
    [InlineData(90, "DUUR_90", 15)]
    [InlineData(400, "DUUR_90", 15)]
    public void The_age_of_the_oldest_arrears_gives_one_duration_reason(int ageDays, string? code, int points)
    {
        var r = Evaluate(Fact("C1", ageDays: 5), Fact("C2", ageDays: ageDays, bedrag: 50m));

        var duration = r.Reasons.Where(x => x.Code.StartsWith("DUUR_", StringComparison.Ordinal)).ToList();
        if (code is null)
        {
            Assert.Empty(duration);
        }
        else
        {
            var reason = Assert.Single(duration);
            Assert.Equal(code, reason.Code);
            Assert.Equal(points, reason.Points);
            Assert.Contains(ageDays.ToString(CultureInfo.InvariantCulture), reason.Text, StringComparison.Ordinal);
        }
    }

    // GROEI

    [Fact]
    public void Arrears_that_grew_since_an_earlier_signal_give_groei()
    {
        var r = Evaluate(Fact(bedrag: 150m, eerder: 100m));

        var reason = Assert.Single(r.Reasons);
        Assert.Equal(C.Groei, reason.Code);
        Assert.Equal(10, reason.Points);
        Assert.Contains("50%", reason.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100", "100")]
    [InlineData("90", "100")]
    [InlineData("100", null)]
    [InlineData("100", "0")]
    public void Arrears_that_did_not_grow_give_no_groei(string bedrag, string? eerder)
    {
        var r = Evaluate(Fact(
            bedrag: decimal.Parse(bedrag, CultureInfo.InvariantCulture),
            eerder: eerder is null ? null : decimal.Parse(eerder, CultureInfo.InvariantCulture)));

        Assert.DoesNotContain(C.Groei, Codes(r));
    }

    // WARME_OVERDRACHT

    [Fact]
    public void A_warm_handover_gives_its_reason_and_a_phone_call()
    {
        var r = TriagePolicy.Evaluate([Fact(warm: true)], Today, new GemeentePolicy(), phoneKnown: false);

        var reason = Assert.Single(r.Reasons);
        Assert.Equal(C.WarmeOverdracht, reason.Code);
        Assert.Equal(10, reason.Points);
        Assert.Equal(ContactChannel.Telefoon, r.RecommendedChannel);
    }

    // Priority thresholds and score

    [Theory]
    [InlineData(0, Priority.Laag)]
    [InlineData(24, Priority.Laag)]
    [InlineData(25, Priority.Normaal)]
    [InlineData(49, Priority.Normaal)]
    [InlineData(50, Priority.Hoog)]
    [InlineData(100, Priority.Hoog)]
    public void The_score_sets_the_priority_at_25_and_50(int score, Priority expected)
    {
        var policy = new GemeentePolicy { Weights = { [C.Duur90] = score } };

        var r = Evaluate(policy, Fact(ageDays: 120));

        Assert.Equal(score, r.Score);
        Assert.Equal(expected, r.Priority);
        Assert.Equal(25, TriagePolicy.NormaalFrom);
        Assert.Equal(50, TriagePolicy.HoogFrom);
    }

    [Fact]
    public void Three_creditors_are_at_least_hoog_whatever_the_score()
    {
        var policy = new GemeentePolicy { Weights = { [C.Stapeling(3)] = 0 } };

        var r = Evaluate(policy, Fact("C1", bedrag: 10m), Fact("C2", bedrag: 10m), Fact("C3", bedrag: 10m));

        Assert.Equal(0, r.Score);
        Assert.Equal(Priority.Hoog, r.Priority);
        Assert.Equal(3, TriagePolicy.StapelingHoogFrom);
    }

    [Fact]
    public void Two_creditors_alone_are_not_hoog()
    {
        var r = Evaluate(Fact("C1", bedrag: 10m), Fact("C2", bedrag: 10m));

        Assert.Equal(20, r.Score);
        Assert.Equal(Priority.Laag, r.Priority);
    }

    [Fact]
    public void The_score_is_capped_at_100_while_every_reason_keeps_its_points()
    {
        var r = TriagePolicy.Evaluate(
            [
                Fact("C1", PartnerType.Huur, 3000m, ageDays: 120, crisis: true, warm: true, eerder: 1000m),
                Fact("C2", PartnerType.Energie, 1500m, eindelevering: Today.AddDays(5)),
                Fact("C3", PartnerType.Zorg, 900m),
                Fact("C4", PartnerType.Overige, 700m),
            ],
            Today, new GemeentePolicy(), phoneKnown: true);

        Assert.Equal(100, r.Score);
        Assert.True(r.Reasons.Sum(x => x.Points) > 100);
        Assert.Equal(
            [C.Crisis, C.Stapeling(4), C.AfsluitingDreigt, C.Bedrag5000, C.Duur90, C.Groei, C.WarmeOverdracht, C.Woonlasten, C.Nutsvoorziening, C.Zorgverzekering],
            Codes(r));
    }

    [Fact]
    public void Reasons_are_ordered_by_points_then_by_code()
    {
        // STAPELING_2 20; GROEI, WARME_OVERDRACHT and WOONLASTEN all 10 (alphabetical); NUTSVOORZIENING 5.
        var r = Evaluate(
            Fact("C1", PartnerType.Huur, 150m, warm: true, eerder: 100m),
            Fact("C2", PartnerType.Energie, 100m));

        Assert.Equal(["STAPELING_2", "GROEI", "WARME_OVERDRACHT", "WOONLASTEN", "NUTSVOORZIENING"], Codes(r));
        Assert.Equal([20, 10, 10, 10, 5], r.Reasons.Select(x => x.Points));
    }

    [Fact]
    public void Reasons_with_equal_points_after_an_override_are_ordered_by_code()
    {
        var policy = new GemeentePolicy { Weights = { [C.Zorgverzekering] = 10, [C.Nutsvoorziening] = 10 } };

        var r = Evaluate(policy, Fact("C1", PartnerType.Zorg), Fact("C2", PartnerType.Water), Fact("C3", PartnerType.Huur));

        Assert.Equal(["STAPELING_3", "NUTSVOORZIENING", "WOONLASTEN", "ZORGVERZEKERING"], Codes(r));
    }

    // Channel

    [Theory]
    [InlineData(false, false, false, ContactChannel.Huisbezoek)]
    [InlineData(false, false, true, ContactChannel.Telefoon)]
    [InlineData(false, true, false, ContactChannel.Telefoon)]
    [InlineData(false, true, true, ContactChannel.Telefoon)]
    [InlineData(true, false, false, ContactChannel.Huisbezoek)]
    [InlineData(true, false, true, ContactChannel.Huisbezoek)]
    [InlineData(true, true, false, ContactChannel.Huisbezoek)]
    [InlineData(true, true, true, ContactChannel.Huisbezoek)]
    public void The_recommended_channel_is_a_home_visit_for_spoed_else_a_call_when_possible(bool crisis, bool warm, bool phoneKnown, ContactChannel expected)
    {
        var r = TriagePolicy.Evaluate([Fact(crisis: crisis, warm: warm)], Today, new GemeentePolicy(), phoneKnown);

        Assert.Equal(expected, r.RecommendedChannel);
    }

    [Fact]
    public void An_imminent_cut_off_is_spoed_and_gets_a_home_visit_even_with_a_phone_number()
    {
        var r = TriagePolicy.Evaluate([Fact(type: PartnerType.Energie, eindelevering: Today.AddDays(3))], Today, new GemeentePolicy(), phoneKnown: true);

        Assert.Equal(ContactChannel.Huisbezoek, r.RecommendedChannel);
    }

    [Fact]
    public void A_letter_is_never_recommended()
    {
        foreach (var type in Enum.GetValues<PartnerType>())
        {
            foreach (var flags in Enumerable.Range(0, 16))
            {
                var fact = Fact(
                    type: type, bedrag: 100m * (flags + 1), ageDays: flags * 10, crisis: (flags & 1) != 0, warm: (flags & 2) != 0,
                    eindelevering: type.IsUtility() && (flags & 4) != 0 ? Today.AddDays(flags * 7) : null);
                var r = TriagePolicy.Evaluate([fact], Today, new GemeentePolicy(), phoneKnown: (flags & 8) != 0);

                Assert.NotEqual(ContactChannel.Brief, r.RecommendedChannel);
            }
        }
    }

    // Per-gemeente weights

    [Fact]
    public void A_gemeente_may_override_the_points_of_a_reason()
    {
        var policy = new GemeentePolicy { Weights = { [C.Woonlasten] = 30 } };

        var r = Evaluate(policy, Fact(type: PartnerType.Huur));

        Assert.Equal(30, Points(r, C.Woonlasten));
        Assert.Equal(30, r.Score);
        Assert.Equal(Priority.Normaal, r.Priority);
    }

    [Fact]
    public void The_stapeling_weight_for_four_or_more_applies_to_every_larger_number()
    {
        var policy = new GemeentePolicy { Weights = { [C.StapelingMax] = 60 } };
        var facts = Enumerable.Range(1, 6).Select(i => Fact($"C{i}", bedrag: 10m)).ToArray();

        var r = Evaluate(policy, facts);

        Assert.Equal(60, Points(r, C.Stapeling(6)));
    }

    [Fact]
    public void Triage_options_give_a_gemeente_its_own_weights_on_top_of_the_default_policy()
    {
        var options = new TriageOptions
        {
            Default = new GemeentePolicy { Weights = { [C.Woonlasten] = 15 } },
            Gemeenten = { ["0363"] = new GemeentePolicy { Weights = { [C.Nutsvoorziening] = 25 } } },
        };
        var facts = new[] { Fact("C1", PartnerType.Huur), Fact("C2", PartnerType.Energie) };

        var amsterdam = TriagePolicy.Evaluate(facts, Today, options.For("0363"), false);
        var elsewhere = TriagePolicy.Evaluate(facts, Today, options.For("0599"), false);

        Assert.Equal(15, Points(amsterdam, C.Woonlasten));
        Assert.Equal(25, Points(amsterdam, C.Nutsvoorziening));
        Assert.Equal(15, Points(elsewhere, C.Woonlasten));
        Assert.Equal(5, Points(elsewhere, C.Nutsvoorziening));
    }

    [Fact]
    public void Reason_codes_without_an_override_keep_their_default_points()
    {
        foreach (var (code, points) in TriagePolicy.DefaultWeights)
        {
            Assert.True(points > 0, code);
        }

        Assert.Equal(50, TriagePolicy.DefaultWeights[C.Crisis]);
        Assert.Equal(16, TriagePolicy.DefaultWeights.Count);
    }

    // Due dates

    [Theory]
    [InlineData("2026-11-20", "2026-12-04")]
    [InlineData("2026-11-21", "2026-12-07")]
    [InlineData("2026-12-11", "2026-12-28")]
    [InlineData("2026-12-18", "2027-01-04")]
    [InlineData("2026-04-13", "2026-04-28")]
    [InlineData("2026-04-30", "2026-05-15")]
    [InlineData("2026-05-11", "2026-05-26")]
    public void A_first_contact_is_due_in_14_calendar_days_rolled_to_a_working_day(string today, string expected)
    {
        var r = TriagePolicy.Evaluate([Fact()], D(today), new GemeentePolicy(), false);

        Assert.Equal(D(expected), r.DueDate);
    }

    [Theory]
    [InlineData("2026-11-20", "2026-11-25")]
    [InlineData("2026-12-23", "2026-12-29")]
    [InlineData("2026-12-30", "2027-01-05")]
    [InlineData("2026-05-13", "2026-05-19")]
    [InlineData("2026-04-02", "2026-04-08")]
    [InlineData("2026-04-23", "2026-04-29")]
    [InlineData("2026-05-01", "2026-05-07")]
    public void A_spoed_contact_is_due_in_three_working_days(string today, string expected)
    {
        var r = TriagePolicy.Evaluate([Fact(crisis: true)], D(today), new GemeentePolicy(), false);

        Assert.Equal(Priority.Spoed, r.Priority);
        Assert.Equal(D(expected), r.DueDate);
    }

    [Fact]
    public void A_gemeente_may_set_its_own_terms()
    {
        var policy = new GemeentePolicy { DueDays = 7, SpoedDueWorkingDays = 1 };

        Assert.Equal(D("2026-11-27"), Evaluate(policy, Fact()).DueDate);
        Assert.Equal(D("2026-11-23"), Evaluate(policy, Fact(crisis: true)).DueDate);
    }

    // Purity

    [Fact]
    public void The_same_facts_date_and_policy_always_give_the_same_result()
    {
        var facts = new[] { Fact("C1", PartnerType.Huur, 2500m, 95, warm: true), Fact("C2", PartnerType.Water, 300m, eerder: 200m) };

        var a = TriagePolicy.Evaluate(facts, Today, new GemeentePolicy(), true);
        var b = TriagePolicy.Evaluate(facts.Reverse().ToArray(), Today, new GemeentePolicy(), true);

        Assert.Equal(a.Reasons, b.Reasons);
        Assert.Equal((a.Score, a.Priority, a.RecommendedChannel, a.DueDate, a.PolicyVersion), (b.Score, b.Priority, b.RecommendedChannel, b.DueDate, b.PolicyVersion));
    }

    [Theory]
    [InlineData("0", "€ 0,00")]
    [InlineData("12.5", "€ 12,50")]
    [InlineData("1234.56", "€ 1.234,56")]
    [InlineData("100000", "€ 100.000,00")]
    public void Amounts_in_reasons_are_written_as_dutch_readers_write_them(string amount, string expected)
    {
        Assert.Equal(expected, TriagePolicy.Euro(decimal.Parse(amount, CultureInfo.InvariantCulture)));
    }
}
