using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Core.Outcomes;

/// <summary>Where a case's recorded outcomes stand, as far as a resultaat must agree with them.</summary>
public sealed record CaseProgress(int Attempts, bool Reached, bool? HelpAccepted)
{
    public static CaseProgress Of(CaseOutcome? outcome) =>
        outcome is null ? new(0, false, null) : new(outcome.Attempts, outcome.ReachedAt is not null || outcome.ReachedDatum is not null, outcome.HelpAccepted);

    /// <summary>The progress in words, for a refusal's detail: counts and facts, nothing about the household.</summary>
    public string Describe() =>
        (Attempts, Reached, HelpAccepted) switch
        {
            (0, _, _) => "no contact attempt is recorded",
            (_, false, _) => $"{Attempts} contact attempt(s), none reached the household",
            (_, true, null) => $"{Attempts} contact attempt(s), the household was reached, no help decision is recorded",
            (_, true, true) => $"{Attempts} contact attempt(s), the household was reached and accepted help",
            (_, true, false) => $"{Attempts} contact attempt(s), the household was reached and declined help",
        };
}

/// <summary>
/// Which DDAS v0.9 <c>EnumEindresultaat</c> values agree with a case's recorded progress. A resultaat is refused only
/// when the team's own record contradicts it; what the record merely lacks (say, attempts made before the team's
/// system reported here) is not held against it.
/// </summary>
/// <remarks>
/// The rules, one requirement each (docs/api.md "Resultaat and progress" lists them):
/// <list type="bullet">
/// <item>help given: "Vervolghulp en/of verwijzing financieel", "Vervolghulp en/of verwijzing niet financieel",
/// "(Budget)advies en/of quick fix" need help accepted (and so a reach);</item>
/// <item>"Inwoner hoeft geen hulp vanuit vroegsignalering" needs a reach and no accepted help (the household said so);</item>
/// <item>"Geen reactie na eerder contact" needs a reach (the earlier contact);</item>
/// <item>"Definitief geen contact kunnen krijgen" and "Verwijzing zonder contact" need no reach;</item>
/// <item>"Niet opgepakt: herhaalde melding / onterecht signaal / andere reden" need no contact attempt at all;</item>
/// <item>"Inwoner al bekend bij schuldhulpverlening", "Inwoner heeft al een ander lopend traject", "Inwoner heeft zelf al
/// betaald/betalingsregeling getroffen" need no accepted help (help accepted here makes it a help result), a reach not
/// required: a team learns them from its own files or the creditor as well;</item>
/// <item>"Inwoner is overleden", "Persoon is geen inwoner (meer) in de gemeente" agree with any progress.</item>
/// </list>
/// </remarks>
public static class ResultaatRules
{
    private enum Need
    {
        Any,
        HelpAccepted,
        ReachWithoutAcceptance,
        Reach,
        NoReach,
        NoAttempt,
        NoAcceptance,
    }

    private static readonly Dictionary<string, Need> Needs = new(StringComparer.Ordinal)
    {
        [DdasValues.HerhaaldeMelding] = Need.NoAttempt,
        [DdasValues.OnterechtSignaal] = Need.NoAttempt,
        [DdasValues.Overleden] = Need.Any,
        [DdasValues.GeenInwoner] = Need.Any,
        [DdasValues.AndereReden] = Need.NoAttempt,
        ["Inwoner al bekend bij schuldhulpverlening"] = Need.NoAcceptance,
        ["Inwoner heeft al een ander lopend traject"] = Need.NoAcceptance,
        ["Definitief geen contact kunnen krijgen"] = Need.NoReach,
        ["Geen reactie na eerder contact"] = Need.Reach,
        ["Inwoner hoeft geen hulp vanuit vroegsignalering"] = Need.ReachWithoutAcceptance,
        ["Inwoner heeft zelf al betaald/betalingsregeling getroffen"] = Need.NoAcceptance,
        ["(Budget)advies en/of quick fix"] = Need.HelpAccepted,
        ["Vervolghulp en/of verwijzing financieel"] = Need.HelpAccepted,
        ["Verwijzing zonder contact"] = Need.NoReach,
        ["Vervolghulp en/of verwijzing niet financieel"] = Need.HelpAccepted,
    };

    /// <summary>True for every value of the DDAS enumeration: each has exactly one rule.</summary>
    public static bool Covers(string resultaat) => Needs.ContainsKey(resultaat);

    /// <summary>Null when <paramref name="resultaat"/> agrees with the progress; otherwise the stable code and why.</summary>
    public static (string Code, string Message)? Check(string resultaat, CaseProgress progress)
    {
        var need = Needs.TryGetValue(resultaat, out var n) ? n : throw new ArgumentException("not a DDAS EnumEindresultaat value", nameof(resultaat));
        var progressText = progress.Describe();
        return need switch
        {
            Need.HelpAccepted when progress.HelpAccepted != true =>
                (OutcomeErrorCodes.ResultaatNeedsHelpAccepted, $"resultaat '{resultaat}' needs help accepted (record hulpaanbod with aanvaard = true first), but {progressText}"),
            Need.Reach or Need.ReachWithoutAcceptance when !progress.Reached =>
                (OutcomeErrorCodes.ResultaatNeedsReach, $"resultaat '{resultaat}' needs a contact attempt that reached the household, but {progressText}"),
            Need.ReachWithoutAcceptance or Need.NoAcceptance when progress.HelpAccepted == true =>
                (OutcomeErrorCodes.ResultaatContradictsAcceptance, $"resultaat '{resultaat}' contradicts the help the household accepted: {progressText}; close with the help given"),
            Need.NoReach when progress.Reached =>
                (OutcomeErrorCodes.ResultaatContradictsReach, $"resultaat '{resultaat}' is for a household never reached, but {progressText}"),
            Need.NoAttempt when progress.Attempts > 0 =>
                (OutcomeErrorCodes.ResultaatContradictsAttempt, $"resultaat '{resultaat}' is for a signal not taken up, but {progressText}"),
            _ => null,
        };
    }
}
