using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Core.Tests.Outcomes;

/// <summary>
/// Which DDAS resultaat agrees with which recorded progress: every value of EnumEindresultaat against every progress a
/// case can have, checked against a table written out here by hand.
/// </summary>
public sealed class ResultaatRulesTests
{
    // The progress a case can have: nothing, attempted without reach, reached, reached and accepted, reached and declined.
    private static readonly Dictionary<string, CaseProgress> Progress = new(StringComparer.Ordinal)
    {
        ["none"] = new(0, false, null),
        ["attempted"] = new(2, false, null),
        ["reached"] = new(1, true, null),
        ["accepted"] = new(3, true, true),
        ["declined"] = new(1, true, false),
    };

    // For each resultaat, the code per progress in the order of Progress: "ok" when it agrees.
    public static TheoryData<string, string[]> Table => new()
    {
        { "Niet opgepakt: herhaalde melding", ["ok", "contradicts_attempt", "contradicts_attempt", "contradicts_attempt", "contradicts_attempt"] },
        { "Niet opgepakt: onterecht signaal", ["ok", "contradicts_attempt", "contradicts_attempt", "contradicts_attempt", "contradicts_attempt"] },
        { "Niet opgepakt: andere reden", ["ok", "contradicts_attempt", "contradicts_attempt", "contradicts_attempt", "contradicts_attempt"] },
        { "Inwoner is overleden", ["ok", "ok", "ok", "ok", "ok"] },
        { "Persoon is geen inwoner (meer) in de gemeente", ["ok", "ok", "ok", "ok", "ok"] },
        { "Inwoner al bekend bij schuldhulpverlening", ["ok", "ok", "ok", "contradicts_acceptance", "ok"] },
        { "Inwoner heeft al een ander lopend traject", ["ok", "ok", "ok", "contradicts_acceptance", "ok"] },
        { "Inwoner heeft zelf al betaald/betalingsregeling getroffen", ["ok", "ok", "ok", "contradicts_acceptance", "ok"] },
        { "Definitief geen contact kunnen krijgen", ["ok", "ok", "contradicts_reach", "contradicts_reach", "contradicts_reach"] },
        { "Verwijzing zonder contact", ["ok", "ok", "contradicts_reach", "contradicts_reach", "contradicts_reach"] },
        { "Geen reactie na eerder contact", ["needs_reach", "needs_reach", "ok", "ok", "ok"] },
        { "Inwoner hoeft geen hulp vanuit vroegsignalering", ["needs_reach", "needs_reach", "ok", "contradicts_acceptance", "ok"] },
        { "(Budget)advies en/of quick fix", ["needs_help_accepted", "needs_help_accepted", "needs_help_accepted", "ok", "needs_help_accepted"] },
        { "Vervolghulp en/of verwijzing financieel", ["needs_help_accepted", "needs_help_accepted", "needs_help_accepted", "ok", "needs_help_accepted"] },
        { "Vervolghulp en/of verwijzing niet financieel", ["needs_help_accepted", "needs_help_accepted", "needs_help_accepted", "ok", "needs_help_accepted"] },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void A_resultaat_agrees_only_with_the_progress_its_rule_names(string resultaat, string[] expected)
    {
        var actual = Progress.Values.Select(p => ResultaatRules.Check(resultaat, p) is { } refused ? refused.Code["resultaat.".Length..] : "ok").ToArray();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Every_value_of_the_DDAS_enumeration_has_a_rule_and_the_table_here_covers_them_all()
    {
        Assert.All(DdasValues.Eindresultaat, r => Assert.True(ResultaatRules.Covers(r), r));
        Assert.Equal(DdasValues.Eindresultaat.Order(StringComparer.Ordinal), Table.Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_refusal_says_where_the_case_stands_in_counts_and_facts()
    {
        var (code, message) = ResultaatRules.Check("Vervolghulp en/of verwijzing financieel", new CaseProgress(2, false, null))!.Value;

        Assert.Equal(OutcomeErrorCodes.ResultaatNeedsHelpAccepted, code);
        Assert.Contains("2 contact attempt(s), none reached the household", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_outside_the_enumeration_is_a_programming_error_not_a_refusal()
    {
        Assert.Throws<ArgumentException>(() => ResultaatRules.Check("Hulp aanvaard", new CaseProgress(0, false, null)));
    }
}
