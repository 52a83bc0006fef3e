using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Triage;
using static VroegSignalering.Core.Tests.Households.HouseholdData;

namespace VroegSignalering.Core.Tests.Households;

/// <summary>The grouping of signals into cases must not depend on the order in which they arrive.</summary>
public class CaseComposerOrderTests
{
    private static readonly GemeentePolicy Policy = new();

    [Theory]
    [InlineData(10)] // within the window: one case whichever arrives first
    [InlineData(14)]
    [InlineData(20)] // beyond the window: two cases whichever arrives first
    public void Two_signals_make_the_same_number_of_cases_in_either_order(int daysApart)
    {
        var early = Signal("s-early", "corporatie-1", PartnerType.Huur, 800m, D(10, 20));
        var late = Signal("s-late", "energie-1", PartnerType.Energie, 300m, D(10, 20).AddDays(daysApart));

        var earlyFirst = CasesAfterArrivals(early, late);
        var lateFirst = CasesAfterArrivals(late, early);

        Assert.Equal(daysApart <= Policy.Window ? 1 : 2, earlyFirst);
        Assert.Equal(earlyFirst, lateFirst);
    }

    // Each signal arrives and is triaged on its own before the next one arrives.
    private static int CasesAfterArrivals(params StoredSignal[] arrivals)
    {
        var snapshot = Snapshot();
        foreach (var signal in arrivals)
        {
            snapshot = snapshot with { Signals = [.. snapshot.Signals, signal] };
            (snapshot, _) = Settle(snapshot, Policy);
        }

        return snapshot.Cases.Count;
    }
}
