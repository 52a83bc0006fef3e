using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Core.Tests.Reporting;

public sealed class QuarantineAgeFiguresTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Quarantined_signals_are_counted_per_reason_in_age_buckets()
    {
        var figures = QuarantineAgeFigures.Of(
        [
            Signal("a", "address.not_found", TimeSpan.FromHours(2)),
            Signal("b", "address.not_found", TimeSpan.FromDays(1)),
            Signal("c", "address.not_found", TimeSpan.FromDays(40)),
            Signal("d", "address.ambiguous", TimeSpan.FromDays(5)),
        ], Now);

        Assert.Equal(["under 1 day", "1-3 days", "3-7 days", "7-30 days", "30 days or more"], figures.Buckets);
        Assert.Equal(["address.ambiguous", "address.not_found"], figures.ByReason.Keys);
        Assert.Equal([0, 0, 1, 0, 0], figures.ByReason["address.ambiguous"]);
        Assert.Equal([1, 1, 0, 0, 1], figures.ByReason["address.not_found"]);
    }

    [Fact]
    public void Ages_stay_out_of_the_quarantine_counts_that_the_reproducibility_check_compares()
    {
        var observation = new RunObservation([], [Signal("a", "address.not_found", TimeSpan.FromHours(20))], 0, [], [], [], [], new Dictionary<string, int>(), new Dictionary<string, int>(), 0);

        var early = RunReportBuilder.Build(observation, Now);
        var late = RunReportBuilder.Build(observation, Now.AddDays(3));

        Assert.Equal(early.Quarantine.Total, late.Quarantine.Total);
        Assert.Equal(early.Quarantine.ByReason, late.Quarantine.ByReason);
        Assert.Equal([1, 0, 0, 0, 0], early.QuarantineAge.ByReason["address.not_found"]);
        Assert.Equal([0, 0, 1, 0, 0], late.QuarantineAge.ByReason["address.not_found"]);
    }

    private static QuarantinedSignal Signal(string id, string reason, TimeSpan age) =>
        new("r-1", id, "huur", reason, reason, Now - age, new ProtectedPayload("k1", [1]));
}
