using System.Globalization;
using System.Text;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Tests.Intake;
using VroegSignalering.Core.Triage;
using static VroegSignalering.Core.Tests.Households.HouseholdData;

namespace VroegSignalering.Core.Tests.Households;

/// <summary>
/// The fairness guard (DOMAIN.md, "Hard lines"): triage ranks need from arrears facts only. For generated
/// households, everything about the people — names, BSN, birth date and age, street, neighbourhood, how many
/// people live there, e-mail, person key, the encrypted payload — is drawn twice independently over the same
/// arrears facts and the same answer to "is a phone number known"; the whole decision (score, priority,
/// reasons, due date, recommended channel, task) must not move, and the team may differ only as the documented
/// routing says (docs/triage.md, chapter 8: age to the target-group team, wijk to its wijk team). Seeded, so
/// every run checks the same cases.
/// </summary>
public class FairnessTests
{
    private const int GeneratedCases = 1_200;
    private const int Seed = 20_261_120;

    private static readonly (string Id, PartnerType Type)[] Creditors =
    [
        ("corporatie-1", PartnerType.Huur), ("corporatie-2", PartnerType.Huur), ("hypotheek-1", PartnerType.Hypotheek),
        ("energie-1", PartnerType.Energie), ("energie-2", PartnerType.Energie), ("water-1", PartnerType.Water),
        ("zorg-1", PartnerType.Zorg), ("cak-1", PartnerType.CakZorgverzekeringen), ("duo-1", PartnerType.Duo),
        ("belastingdienst-1", PartnerType.Belastingdienst), ("toeslagen-1", PartnerType.DienstToeslagen), ("overig-1", PartnerType.Overige),
    ];

    private static readonly GemeentePolicy[] Policies =
    [
        new(),
        new() { MinimumAmount = 75m },
        new() { YouthRoute = new AgeRoute(), TeamsByWijk = { ["036301"] = "wijkteam-centrum", ["036317"] = "wijkteam-oost" } },
        new() { WindowDays = 30, RepeatGrowthPercent = 25m, Weights = { ["WOONLASTEN"] = 25, ["STAPELING_2"] = 30 } },
        new() { EndOfSupplyLeadWorkingDays = 10, SettleSeconds = 30, DueDays = 7 },
    ];

    private static readonly string[] Initials = ["J.", "A.B.", "M.", "Ö.", "Ĳ.", "S.K.", "F.", "N."];
    private static readonly string?[] Prefixes = [null, null, "van", "van der", "de", "'t", "el", "van den", "d'"];
    private static readonly string[] Surnames =
    [
        "Jansen", "de Vries", "Öztürk", "Ĳzerman", "N'Diaye", "Bakker-de Vries", "d'Hondt", "Nguyen", "Kowalski", "El Amrani",
        "Hart", "Smit", "Dijkstra", "Mohamed", "Achterberg", "Yılmaz", "Pérez", "Boateng", "Bos", "Wijaya",
    ];

    private static readonly string[] Streets = ["Dorpsstraat", "Kerkstraat", "Laan van Nieuw Oost-Indië", "Bijlmerdreef", "Javastraat", "2e Hugo de Grootstraat", "Molenweg"];

    [Fact]
    public void Personal_data_household_and_neighbourhood_never_change_the_decision_and_choose_the_team_only_as_documented()
    {
        var random = new Random(Seed);
        var stats = new Dictionary<string, int>(StringComparer.Ordinal);
        void Count(string what) => stats[what] = stats.GetValueOrDefault(what) + 1;

        for (var i = 0; i < GeneratedCases; i++)
        {
            var scenario = Scenario.Generate(random);
            var policy = Policies[random.Next(Policies.Length)];
            var where = $"case {i} (seed {Seed}, policy {Array.IndexOf(Policies, policy)}): {scenario}";

            var (a, historyA) = scenario.Build(random, People.Anyone);
            var (b, historyB) = scenario.Build(random, People.Anyone);
            Assert.Equal(historyA.Count, historyB.Count);
            for (var h = 0; h < historyA.Count; h++)
            {
                AssertSameNeed(historyA[h], historyB[h], new GemeentePolicy(), where + $", history step {h}");
            }

            var decisionA = CaseComposer.Decide(a, policy, Now);
            var decisionB = CaseComposer.Decide(b, policy, Now);
            AssertSameNeed(decisionA, decisionB, policy, where);

            // The policy itself, on the facts the composer extracts.
            var factsA = CaseComposer.Facts(a.Signals);
            var factsB = CaseComposer.Facts(b.Signals);
            Assert.Equal(factsA, factsB);
            var phone = random.Next(2) == 0;
            var triageA = TriagePolicy.Evaluate(factsA, Today, policy, phone);
            var triageB = TriagePolicy.Evaluate(factsB, Today, policy, phone);
            Assert.Equal(triageA.Reasons, triageB.Reasons);
            Assert.Equal(
                (triageA.Score, triageA.Priority, triageA.RecommendedChannel, triageA.DueDate),
                (triageB.Score, triageB.Priority, triageB.RecommendedChannel, triageB.DueDate));

            // A known phone number may change the channel, nothing else.
            var withoutPhone = TriagePolicy.Evaluate(factsA, Today, policy, !phone);
            Assert.Equal(triageA.Reasons, withoutPhone.Reasons);
            Assert.Equal((triageA.Score, triageA.Priority, triageA.DueDate), (withoutPhone.Score, withoutPhone.Priority, withoutPhone.DueDate));
            Assert.NotEqual(ContactChannel.Brief, triageA.RecommendedChannel);

            Count(decisionA.GetType().Name);
            if (decisionA is CaseDecision.Update { Outreach: { } plan } update)
            {
                Count("plan");
                Count(plan.Triage.Priority.ToString());
                if (!update.CaseIsNew)
                {
                    Count("revision");
                }
            }

            if (decisionA is CaseDecision.Update { RepeatsWithoutTask: > 0 })
            {
                Count("repeat");
            }

            if (decisionA is CaseDecision.Update { BelowMinimumAmount: > 0 })
            {
                Count("belowMinimum");
            }
        }

        // The generator must reach every branch that could leak personal data into the outcome.
        var summary = string.Join(", ", stats.Select(kv => $"{kv.Key}={kv.Value.ToString(CultureInfo.InvariantCulture)}"));
        foreach (var branch in new[] { "plan", "Spoed", "Hoog", "Normaal", "Laag", "Wait", "revision", "repeat", "belowMinimum" })
        {
            Assert.True(stats.GetValueOrDefault(branch) >= 10, $"too few generated cases reach '{branch}': {summary}");
        }
    }

    [Fact]
    public void Age_within_the_youth_range_changes_only_the_team()
    {
        var random = new Random(Seed + 1);
        var policy = new GemeentePolicy { YouthRoute = new AgeRoute { MinAge = 18, MaxAge = 27, Team = "jongerenteam" }, DefaultTeam = "schuldhulpverlening" };
        var plans = 0;

        for (var i = 0; i < GeneratedCases; i++)
        {
            var scenario = Scenario.Generate(random) with { HistoryCount = 0 };
            var where = $"case {i} (seed {Seed + 1}): {scenario}";

            var (young, _) = scenario.Build(random, People.AgedBetween(18, 27));
            var (older, _) = scenario.Build(random, People.AgedBetween(28, 95));
            var decisionYoung = CaseComposer.Decide(young, policy, Now);
            var decisionOlder = CaseComposer.Decide(older, policy, Now);

            AssertSameNeed(decisionYoung, decisionOlder, policy, where);
            if (decisionYoung is CaseDecision.Update { Outreach: { } planYoung } && decisionOlder is CaseDecision.Update { Outreach: { } planOlder })
            {
                plans++;
                Assert.Equal("jongerenteam", planYoung.Team);
                Assert.Equal("schuldhulpverlening", planOlder.Team);
                Assert.Equal("jongerenteam", CaseComposer.RouteTeam(young.Signals, policy));
                Assert.Equal("schuldhulpverlening", CaseComposer.RouteTeam(older.Signals, policy));
            }
        }

        Assert.True(plans >= 500, $"only {plans} generated cases produced a task");
    }

    private static void AssertSameNeed(CaseDecision a, CaseDecision b, GemeentePolicy policy, string where)
    {
        Assert.True(a.GetType() == b.GetType(), $"{where}: {a.GetType().Name} versus {b.GetType().Name}");
        switch (a, b)
        {
            case (CaseDecision.Wait wa, CaseDecision.Wait wb):
                Assert.Equal(wa.Until, wb.Until);
                break;
            case (CaseDecision.Update ua, CaseDecision.Update ub):
                Assert.True(
                    (ua.CaseIsNew, ua.Case.CaseId, ua.RepeatsWithoutTask, ua.BelowMinimumAmount, ua.Case.Revision, ua.Case.Status)
                    == (ub.CaseIsNew, ub.Case.CaseId, ub.RepeatsWithoutTask, ub.BelowMinimumAmount, ub.Case.Revision, ub.Case.Status),
                    $"{where}: the case decisions differ");
                Assert.Equal(ua.Joined.Select(s => s.SignalId), ub.Joined.Select(s => s.SignalId));
                Assert.Equal(ua.Outreach is null, ub.Outreach is null);
                if (ua.Outreach is { } pa && ub.Outreach is { } pb)
                {
                    Assert.True(pa.Triage.Score == pb.Triage.Score, $"{where}: score {pa.Triage.Score} versus {pb.Triage.Score}");
                    Assert.True(pa.Triage.Priority == pb.Triage.Priority, $"{where}: priority {pa.Triage.Priority} versus {pb.Triage.Priority}");
                    Assert.Equal(pa.Triage.Reasons, pb.Triage.Reasons);
                    Assert.True(pa.Triage.RecommendedChannel == pb.Triage.RecommendedChannel, $"{where}: channel {pa.Triage.RecommendedChannel} versus {pb.Triage.RecommendedChannel}");
                    Assert.Equal(pa.Triage.PolicyVersion, pb.Triage.PolicyVersion);
                    Assert.True(pa.Team == DocumentedTeam(pa.Signals, policy), $"{where}: team {pa.Team}, documented {DocumentedTeam(pa.Signals, policy)}");
                    Assert.True(pb.Team == DocumentedTeam(pb.Signals, policy), $"{where}: team {pb.Team}, documented {DocumentedTeam(pb.Signals, policy)}");
                    Assert.Equal((pa.TaskId, pa.Revision, pa.Triage.DueDate), (pb.TaskId, pb.Revision, pb.Triage.DueDate));
                    Assert.Equal(pa.Signals.Select(s => s.SignalId), pb.Signals.Select(s => s.SignalId));
                }

                break;
        }
    }

    /// <summary>
    /// The team docs/triage.md (chapter 8, "Teams") promises, written out independently of the code: the target-group
    /// team when anyone's age falls in its range, else the wijk's own team, else the default. Nothing else about a
    /// person may choose the team.
    /// </summary>
    internal static string DocumentedTeam(IReadOnlyList<StoredSignal> signals, GemeentePolicy policy)
    {
        if (policy.YouthRoute is { } youth && signals.Any(s => s.AgeYears >= youth.MinAge && s.AgeYears <= youth.MaxAge))
        {
            return youth.Team;
        }

        return policy.TeamsByWijk.GetValueOrDefault(signals[0].Area.Wijkcode) ?? policy.DefaultTeam ?? "schuldhulpverlening";
    }

    /// <summary>The arrears facts of one generated household: identical in every variant built from it.</summary>
    private sealed record Scenario(IReadOnlyList<SignalFacts> Signals, int HistoryCount)
    {
        public static Scenario Generate(Random random)
        {
            var count = random.Next(1, 6);
            var signals = new List<SignalFacts>(count);
            for (var i = 0; i < count; i++)
            {
                var (creditor, type) = random.Next(3) == 0 && signals.Count > 0
                    ? (signals[^1].Creditor, signals[^1].Type) // a repeat from the same creditor
                    : Creditors[random.Next(Creditors.Length)];
                var signaaldatum = Today.AddDays(-random.Next(0, 45));
                var storedAt = random.Next(4) == 0 ? Now.AddSeconds(-random.Next(0, 150)) : Now.AddMinutes(-random.Next(3, 600));
                signals.Add(new SignalFacts(
                    $"sig-{i.ToString(CultureInfo.InvariantCulture)}",
                    creditor,
                    type,
                    random.Next(4) == 0 ? random.Next(5, 100) : Math.Round((decimal)random.NextDouble() * 7_000m + 20m, 2),
                    signaaldatum.AddDays(-random.Next(14, 160)),
                    signaaldatum,
                    random.Next(12) == 0,
                    random.Next(7) == 0,
                    type.IsUtility() && random.Next(3) == 0 ? signaaldatum.AddDays(random.Next(1, 70)) : null,
                    storedAt,
                    storedAt.AddSeconds(-random.Next(1, 3600)),
                    random.Next(2) == 0));
            }

            // Sometimes the earlier signals were already composed into a case before the rest arrived.
            var history = count > 1 && random.Next(5) < 2 ? random.Next(1, count) : 0;
            return new Scenario(signals.OrderBy(s => s.Signaaldatum).ThenBy(s => s.Id, StringComparer.Ordinal).ToList(), history);
        }

        /// <summary>A snapshot over these facts with the people drawn by <paramref name="person"/>; the history is composed first.</summary>
        public (HouseholdSnapshot Snapshot, List<CaseDecision> History) Build(Random random, Func<Random, DateOnly, bool, AreaCodes, Person> person)
        {
            // One address per household, so one wijk and buurt; one to three people live there, each sending signals.
            var area = People.Area(random);
            var residents = random.Next(1, 4);
            var drawn = new Dictionary<int, Person>();
            var stored = Signals.Select(f =>
            {
                var who = random.Next(residents);
                var p = drawn.TryGetValue(who, out var known) && known.PhoneKnown == f.PhoneKnown ? known : drawn[who] = person(random, f.Signaaldatum, f.PhoneKnown, area);
                return f.ToStored(p);
            }).ToList();
            var snapshot = new HouseholdSnapshot(HouseholdKey, null, [], [], [], []);
            var history = new List<CaseDecision>();
            if (HistoryCount > 0)
            {
                // History happened earlier: compose it fully, as the triage sweep would have.
                snapshot = snapshot with { Signals = stored.Take(HistoryCount).Select(s => s with { StoredAt = LongAgo, ReceivedAt = LongAgo.AddSeconds(-1) }).ToList() };
                for (var step = 0; step < 10; step++)
                {
                    var decision = CaseComposer.Decide(snapshot, new GemeentePolicy(), Now);
                    history.Add(decision);
                    if (decision is not CaseDecision.Update)
                    {
                        break;
                    }

                    snapshot = Apply(snapshot, decision);
                }
            }

            return (snapshot with { Signals = [.. snapshot.Signals, .. stored.Skip(HistoryCount)] }, history);
        }

        public override string ToString() =>
            string.Join("; ", Signals.Select(s => $"{s.Creditor} {s.Type} {s.Bedrag.ToString(CultureInfo.InvariantCulture)} {s.Signaaldatum:yyyy-MM-dd}"
                + (s.Crisis ? " crisis" : string.Empty) + (s.Warm ? " warm" : string.Empty) + (s.Eind is { } e ? $" eind {e:yyyy-MM-dd}" : string.Empty)))
            + $" (history {HistoryCount.ToString(CultureInfo.InvariantCulture)})";
    }

    private sealed record SignalFacts(
        string Id, string Creditor, PartnerType Type, decimal Bedrag, DateOnly Ontstaansdatum, DateOnly Signaaldatum,
        bool Crisis, bool Warm, DateOnly? Eind, DateTimeOffset StoredAt, DateTimeOffset ReceivedAt, bool PhoneKnown)
    {
        public StoredSignal ToStored(Person p) => new(
            Id, Creditor, "REF-" + Id, Type, Bedrag, Ontstaansdatum, Signaaldatum, Crisis, Warm, Eind,
            p.Area, p.PersonKey, p.AgeYears, PhoneKnown, "receipt-1", ReceivedAt, StoredAt, null, "hash-" + Id, p.Payload);
    }

    /// <summary>Everything about a person that must not matter to the score.</summary>
    private sealed record Person(AreaCodes Area, string PersonKey, int AgeYears, bool PhoneKnown, ProtectedPayload Payload);

    private static class People
    {
        public static Person Anyone(Random random, DateOnly signaaldatum, bool phoneKnown, AreaCodes area) => Draw(random, signaaldatum, phoneKnown, area, 16, 100);

        public static Func<Random, DateOnly, bool, AreaCodes, Person> AgedBetween(int min, int max) =>
            (random, signaaldatum, phoneKnown, area) => Draw(random, signaaldatum, phoneKnown, area, min, max);

        public static AreaCodes Area(Random random)
        {
            // A third of the households live in a wijk that has its own team under one of the policies.
            var wijk = random.Next(3) == 0 ? (random.Next(2) == 0 ? "036301" : "036317") : "0363" + random.Next(1, 100).ToString("D2", CultureInfo.InvariantCulture);
            return new AreaCodes("0363", wijk, wijk + random.Next(0, 100).ToString("D2", CultureInfo.InvariantCulture));
        }

        private static Person Draw(Random random, DateOnly signaaldatum, bool phoneKnown, AreaCodes area, int minAge, int maxAge)
        {
            var age = random.Next(minAge, maxAge + 1);
            var birth = signaaldatum.AddYears(-age).AddDays(-random.Next(0, 365));
            var ageYears = SignalProcessor.AgeOn(birth, signaaldatum);
            var phone = phoneKnown ? $"06{random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture)}" : null;
            var surname = Surnames[random.Next(Surnames.Length)];
            var email = random.Next(2) == 0 ? $"{surname.ToLowerInvariant().Replace(' ', '.')}{random.Next(100).ToString(CultureInfo.InvariantCulture)}@example.nl" : null;
            var bsn = random.Next(2) == 0 ? SyntheticBsn.ValidFrom(random.Next(10_000_000, 99_999_990)) : null;

            // Stands in for the ciphertext: its content and size vary with the person, as real ciphertext does.
            var personal = string.Join('|', Initials[random.Next(Initials.Length)], Prefixes[random.Next(Prefixes.Length)], surname,
                birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), bsn, Streets[random.Next(Streets.Length)],
                random.Next(1, 400).ToString(CultureInfo.InvariantCulture), phone, email);
            var noise = new byte[random.Next(12, 48)];
            random.NextBytes(noise);
            var payload = new ProtectedPayload($"key-{random.Next(1, 4).ToString(CultureInfo.InvariantCulture)}", [.. noise, .. Encoding.UTF8.GetBytes(personal)]);

            var personKey = Convert.ToHexStringLower(StableIds.Sha256(personal + random.Next().ToString(CultureInfo.InvariantCulture)));
            return new Person(area, personKey, ageYears, phone is not null, payload);
        }
    }
}
