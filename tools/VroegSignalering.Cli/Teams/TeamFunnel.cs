using VroegSignalering.Cli.Generation;
using VroegSignalering.Core.Outcomes;

namespace VroegSignalering.Cli.Teams;

/// <summary>A contact attempt a synthetic team makes (DDAS contactpoging), under an id derived from the task id.</summary>
internal sealed record PlannedAttempt(string Id, string Soort, bool Bereikt, string Dagdeel);

/// <summary>
/// What a synthetic team does with one task: its attempts in order (the last one reached the household when any
/// did), then for a reached household the help decision and the case's DDAS resultaat. An unreached case stays
/// open: the month has just ended and "Definitief geen contact kunnen krijgen" is a decision for later.
/// </summary>
internal sealed record CasePlan(string TaskId, string Channel, IReadOnlyList<PlannedAttempt> Attempts, bool? HelpAccepted, string? Resultaat)
{
    public bool Reached => Attempts.Count > 0 && Attempts[^1].Bereikt;
}

/// <summary>
/// The national funnel of ../shared/DOMAIN.md (Divosa monitor 2023) as a seeded model of how local teams work
/// their tasks. The monitor gives reach per channel as conditional rates: of the cases worked by letter only 6%
/// were reached, of those with at least one phone call 59%, with at least one home visit 46%; overall 1 in 5
/// cases, of whom 35% accept help. A case gets one channel plan, so each conditional rate is measured on its own
/// group (a case with a call and a visit would count in both), and the mix of plans is solved so the overall
/// rate comes out at 1 in 5: 0.70 × 6% + 0.15 × 59% + 0.15 × 46% = 20.0%.
/// Every plan starts with a letter (the usual first step); calls and visits follow, up to three and two.
/// Deterministic: the same seed and case give the same plan on every machine (<see cref="Rng"/>, not System.Random),
/// whichever revision of the case's task is worked.
/// </summary>
internal static class TeamFunnel
{
    public const string LettersOnly = "letters only";
    public const string Phone = "phone";
    public const string HomeVisit = "home visit";

    public const double ShareLettersOnly = 0.70;
    public const double SharePhone = 0.15;
    public const double ShareHomeVisit = 0.15;
    public const double ReachLettersOnly = 0.06;
    public const double ReachPhone = 0.59;
    public const double ReachHomeVisit = 0.46;
    public const double HelpAccepted = 0.35;

    public const string ResultaatAccepted = "Vervolghulp en/of verwijzing financieel";
    public const string ResultaatQuickFix = "(Budget)advies en/of quick fix";
    public const string ResultaatDeclined = "Inwoner hoeft geen hulp vanuit vroegsignalering";

    private static readonly string[] Dagdelen = ["Ochtend", "Middag", "Avond"];

    /// <summary>
    /// Where a case stands in the teams' order of work: a seeded draw per case, so a sample of the first N is the same
    /// set for the same seed and cases, spread evenly over gemeenten, priorities and channels.
    /// </summary>
    public static ulong Rank(long seed, string caseKey) => Rng.For(seed, "team-order|" + caseKey).NextUInt64();

    /// <summary>
    /// The plan for the case behind <paramref name="taskId"/>. It is drawn from <paramref name="caseKey"/> (see
    /// <see cref="TeamWorker.CaseKeyOf"/>), not from the task or case id: those ids come from the household key, a keyed
    /// hash under a key of its own per run, so two runs of one seed would work their cases differently.
    /// </summary>
    public static CasePlan Plan(long seed, string caseKey, string taskId)
    {
        // Drawn per case, not per revision: which revision of a case a team works does not change what happens.
        var rng = Rng.For(seed, "team-work|" + caseKey);
        var channel = rng.PickWeighted<string>([(LettersOnly, ShareLettersOnly), (Phone, SharePhone), (HomeVisit, ShareHomeVisit)]);
        var (soort, reach, followUps) = channel switch
        {
            Phone => ("Telefoon", ReachPhone, rng.Between(1, 3)),
            HomeVisit => ("Huisbezoek", ReachHomeVisit, rng.Between(1, 2)),
            _ => ("Brief", ReachLettersOnly, 0),
        };
        var reached = rng.Chance(reach);
        var attempts = new List<PlannedAttempt>();
        var kinds = Enumerable.Repeat(soort, followUps).Prepend("Brief").ToList();
        for (var i = 0; i < kinds.Count; i++)
        {
            // The reach, when there is one, is the last attempt: a team stops trying once it has contact.
            var bereikt = reached && i == kinds.Count - 1;
            var dagdeel = kinds[i] == "Brief" ? "Ochtend" : rng.Pick(Dagdelen);
            attempts.Add(new PlannedAttempt($"{taskId}.{i + 1}", kinds[i], bereikt, dagdeel));
        }

        if (!reached)
        {
            return new CasePlan(taskId, channel, attempts, null, null);
        }

        var accepted = rng.Chance(HelpAccepted);
        var resultaat = accepted ? (rng.Chance(0.5) ? ResultaatAccepted : ResultaatQuickFix) : ResultaatDeclined;
        return new CasePlan(taskId, channel, attempts, accepted, resultaat);
    }
}
