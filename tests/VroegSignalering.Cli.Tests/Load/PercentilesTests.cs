using VroegSignalering.Cli.Load;

namespace VroegSignalering.Cli.Tests.Load;

public sealed class PercentilesTests
{
    [Theory]
    [InlineData(50, 50)]
    [InlineData(95, 95)]
    [InlineData(99, 99)]
    [InlineData(100, 100)]
    [InlineData(0.5, 1)]
    public void The_percentile_of_one_to_a_hundred_is_the_nearest_rank(double percent, double expected)
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        Assert.Equal(expected, Percentiles.Of(values, percent));
    }

    [Fact]
    public void A_percentile_is_always_a_measured_value_and_rounds_the_rank_up()
    {
        double[] values = [40, 10, 30, 20];

        Assert.Equal(20, Percentiles.Of(values, 50));
        Assert.Equal(40, Percentiles.Of(values, 95));
        Assert.Equal(40, Percentiles.Of(values, 99));
        Assert.Equal(7, Percentiles.Of([7], 99));
    }

    [Fact]
    public void No_values_have_no_percentile()
    {
        Assert.Null(Percentiles.Of([], 50));
    }
}
