using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Tests.Households;

/// <summary>Hand-built stored signals and household snapshots; all dates are fixed, none is read from the clock.</summary>
internal static class HouseholdData
{
    /// <summary>Friday 20 November 2026, 11:00 in Amsterdam.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    public static readonly DateOnly Today = new(2026, 11, 20);

    public const string HouseholdKey = "hh7f3a9c2e5b8d1f4a6c0e9b2d7f5a3c8e1b";

    public static readonly AreaCodes Centrum = new("0363", "036301", "03630101");

    /// <summary>Settled: stored long enough ago that no settle wait applies.</summary>
    public static readonly DateTimeOffset LongAgo = Now.AddHours(-1);

    public static DateOnly D(int month, int day) => new(2026, month, day);

    public static StoredSignal Signal(
        string id,
        string creditor = "corporatie-1",
        PartnerType type = PartnerType.Huur,
        decimal bedrag = 800m,
        DateOnly? signaaldatum = null,
        DateOnly? ontstaansdatum = null,
        bool crisis = false,
        bool warm = false,
        DateOnly? eindelevering = null,
        DateTimeOffset? storedAt = null,
        DateTimeOffset? receivedAt = null,
        int ageYears = 45,
        bool phoneKnown = true,
        AreaCodes? area = null,
        string personKey = "pk-1")
    {
        var sd = signaaldatum ?? D(11, 16);
        var stored = storedAt ?? LongAgo;
        return new StoredSignal(
            id, creditor, "REF-" + id, type, bedrag, ontstaansdatum ?? sd.AddDays(-60), sd, crisis, warm, eindelevering,
            area ?? Centrum, personKey, ageYears, phoneKnown, "receipt-1", receivedAt ?? stored.AddSeconds(-5), stored,
            null, "hash-" + id, new ProtectedPayload("key-1", [1, 2, 3]));
    }

    public static HouseholdSnapshot Snapshot(params StoredSignal[] signals) =>
        new(HouseholdKey, null, signals, [], [], []);

    /// <summary>The snapshot after committing <paramref name="decision"/>, with <paramref name="newSignals"/> arrived since.</summary>
    public static HouseholdSnapshot Apply(HouseholdSnapshot snapshot, CaseDecision decision, params StoredSignal[] newSignals)
    {
        var update = Assert.IsType<CaseDecision.Update>(decision);
        var cases = snapshot.Cases.Where(c => c.Value.CaseId != update.Case.CaseId).ToList();
        cases.Add(new Versioned<HouseholdCase>(update.Case, "etag-case-" + update.Case.Revision));
        return snapshot with
        {
            Head = new Versioned<HouseholdHead>(update.Head, "etag-head"),
            Cases = cases,
            Signals = snapshot.Signals.Concat(newSignals).ToList(),
        };
    }

    /// <summary>Decides and commits until nothing is left; returns the final snapshot and every decision.</summary>
    public static (HouseholdSnapshot Snapshot, List<CaseDecision.Update> Updates) Settle(HouseholdSnapshot snapshot, GemeentePolicy policy)
    {
        var updates = new List<CaseDecision.Update>();
        for (var i = 0; i < 20; i++)
        {
            var decision = CaseComposer.Decide(snapshot, policy, Now);
            if (decision is CaseDecision.Nothing)
            {
                return (snapshot, updates);
            }

            updates.Add(Assert.IsType<CaseDecision.Update>(decision));
            snapshot = Apply(snapshot, decision);
        }

        throw new InvalidOperationException("the composer did not settle in 20 steps");
    }

    public static HouseholdCase Case(string caseId = "c-test-1", CaseStatus status = CaseStatus.New) =>
        new(caseId, 1, status, Centrum, Now, D(11, 1), D(11, 1), [], 0, null, null, null, 0, 0, null, null, Now);
}
