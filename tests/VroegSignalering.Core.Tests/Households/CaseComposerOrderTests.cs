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

    [Theory]
    [InlineData(900, 1)]  // not grown: the repeat adds nothing and is counted
    [InlineData(1200, 0)] // grown 20%: part of the first task, not a repeat without outreach
    public void A_repeat_that_arrives_with_the_first_signal_is_counted_when_it_brings_nothing_new(int repeatAmount, int expectedRepeats)
    {
        var snapshot = Snapshot(
            Signal("s-1", "corporatie-1", PartnerType.Huur, 1000m, D(11, 1)),
            Signal("s-2", "corporatie-1", PartnerType.Huur, repeatAmount, D(11, 10)));

        var (_, updates) = Settle(snapshot, Policy);

        var update = Assert.Single(updates);
        Assert.NotNull(update.Outreach);
        Assert.Equal(expectedRepeats, update.RepeatsWithoutTask);
        Assert.Equal(expectedRepeats, update.Case.RepeatsWithoutTask);
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
