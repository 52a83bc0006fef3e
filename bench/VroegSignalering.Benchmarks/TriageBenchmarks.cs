using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Benchmarks;

// Triage's CPU work per case, without I/O. Evaluate: TriagePolicy.Evaluate on the arrears facts of one case.
// Decide: CaseComposer.Decide on a household partition as HouseholdTableStore.LoadAsync returns it (signals
// not yet in a case), which groups them into a new case and triages it; this is the pure part of one
// TriageCases step. One operation is one case, so Op/s reads as cases per second.
//
// Typical households (synthetic): 1 signal is the common case (about 85% of households in a generated month);
// 3 is stapeling over rent, energy with a planned end of supply, and health insurance; 6 is four creditors
// with two grown repeats, a water arrear and a warm hand-over.
[Config(typeof(Config))]
[MemoryDiagnoser]
public class TriageBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 23);

    private readonly GemeentePolicy _policy = new TriageOptions().Default;
    private IReadOnlyList<ArrearsFact> _facts = null!;
    private bool _phoneKnown;
    private HouseholdSnapshot _snapshot = null!;

    [Params(1, 3, 6)]
    public int Signals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var signals = Household(Signals);
        _facts = CaseComposer.Facts(signals);
        _phoneKnown = signals.Any(s => s.PhoneKnown);
        _snapshot = new HouseholdSnapshot("hh-0363-5f1c2a9e7b3d4c68a0e1", null, signals, [], [], []);

        // Guard against measuring a shortcut: the snapshot must yield a new case with outreach.
        if (CaseComposer.Decide(_snapshot, _policy, Now) is not CaseDecision.Update { Outreach: not null } update
            || update.Joined.Count != Signals)
        {
            throw new InvalidOperationException("the household snapshot did not produce a triaged case");
        }
    }

    [Benchmark]
    public TriageResult Evaluate() => TriagePolicy.Evaluate(_facts, Today, _policy, _phoneKnown);

    [Benchmark]
    public CaseDecision Decide() => CaseComposer.Decide(_snapshot, _policy, Now);

    private static List<StoredSignal> Household(int count)
    {
        // (creditor, type, amount, days since arrears began, days since signal, crisis, warm, end of supply in days)
        (string Creditor, PartnerType Type, decimal Amount, int Began, int Signalled, bool Crisis, bool Warm, int? EndOfSupply)[] all =
        [
            ("zorg-zilverkruis", PartnerType.Zorg, 412.35m, 95, 9, false, false, null),
            ("wbc-delinde", PartnerType.Huur, 1_465.00m, 70, 8, false, false, null),
            ("energie-polder", PartnerType.Energie, 623.80m, 64, 6, false, false, 34),
            ("zorg-zilverkruis", PartnerType.Zorg, 538.10m, 125, 3, false, false, null),
            ("wbc-delinde", PartnerType.Huur, 2_190.00m, 100, 2, false, true, null),
            ("water-rivierland", PartnerType.Water, 187.45m, 58, 1, false, false, null),
        ];
        var area = new AreaCodes("0363", "036305", "03630501");
        var personal = new ProtectedPayload("kv-2026-01", Enumerable.Range(0, 320).Select(b => (byte)(b * 37 % 251)).ToArray());
        return all.Take(count).Select((s, i) =>
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"s-bench-{i:D2}-7f3e9a1c5b2d4e60");
            var signalled = Today.AddDays(-s.Signalled);
            var received = Now.AddDays(-s.Signalled).AddHours(1);
            return new StoredSignal(
                id, s.Creditor, string.Create(CultureInfo.InvariantCulture, $"REF-2026-11-{i + 1:D6}"), s.Type, s.Amount,
                Today.AddDays(-s.Began), signalled, s.Crisis, s.Warm, s.EndOfSupply is { } e ? signalled.AddDays(e) : null,
                area, i % 2 == 0 ? "p-a91c" : "p-b27d", 41, PhoneKnown: i % 3 != 2, "r-bench", received, received.AddSeconds(2),
                null, "c0ffee" + id, personal);
        }).ToList();
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
