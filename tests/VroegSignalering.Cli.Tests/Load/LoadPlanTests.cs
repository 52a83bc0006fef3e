using VroegSignalering.Cli.Addresses;
using VroegSignalering.Cli.Creditors;
using VroegSignalering.Cli.Load;
using VroegSignalering.Testing;

namespace VroegSignalering.Cli.Tests.Load;

/// <summary>The mix of `vroeg load`: seeded, reproducible, and covering every kind of request.</summary>
public sealed class LoadPlanTests
{
    private static readonly CreditorRegistry Creditors = CreditorRegistry.Load(RepositoryRoot.File("config", "local", "creditors.json"));
    private static readonly AddressFile Addresses = AddressFile.Load(RepositoryRoot.File("data", "addresses", AddressFile.FileName(AddressFileGenerator.DefaultYear)));
    private static readonly IReadOnlyDictionary<int, Gemeente> GemeenteNames = Gemeenten.Read(RepositoryRoot.File("data", "addresses", Gemeenten.FileName));

    private static LoadSettings Settings(int seed) =>
        new(Creditors: 3, RequestsPerMinute: 120, Duration: TimeSpan.FromSeconds(60), Seed: seed, Today: new DateOnly(2026, 11, 23), MaxBodyBytes: 50_000, MaxRowsPerRequest: 30);

    private static string PlanOf(int seed) => LoadPlanner.Describe(LoadPlanner.Plan(Settings(seed), Creditors.All, Addresses, GemeenteNames));

    [Fact]
    public void The_same_seed_gives_the_same_requests_byte_for_byte_and_another_seed_other_requests()
    {
        var first = PlanOf(7);

        Assert.Equal(first, PlanOf(7));
        Assert.NotEqual(first, PlanOf(8));
        Assert.Equal(3 * 120, first.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Every_creditor_sends_every_kind_and_each_duplicate_repeats_an_earlier_valid_request_once()
    {
        var plans = LoadPlanner.Plan(Settings(7), Creditors.All, Addresses, GemeenteNames);

        Assert.Equal(Creditors.All.Take(3).Select(c => c.Id), plans.Select(p => p.Creditor.Id));
        foreach (var plan in plans)
        {
            Assert.Equal(Enum.GetValues<LoadKind>(), plan.Requests.Select(r => r.Kind).Distinct().Order());
            var duplicates = plan.Requests.Where(r => r.Kind == LoadKind.Duplicate).ToList();
            Assert.All(duplicates, d =>
            {
                var original = plan.Requests[d.DuplicateOf!.Value];
                Assert.Equal(LoadKind.Valid, original.Kind);
                Assert.True(original.Sequence <= d.Sequence - 2, "a duplicate re-posts a request sent at least two slots earlier");
                Assert.Equal(original.Rows, d.Rows);
            });
            Assert.Equal(duplicates.Count, duplicates.Select(d => d.DuplicateOf).Distinct().Count());
            Assert.All(plan.Requests.Where(r => r.Kind == LoadKind.OversizedBody), r => Assert.Equal(50_001, r.Body().Length));
            Assert.All(plan.Requests.Where(r => r.Kind == LoadKind.OversizedRows), r => Assert.Equal(31, r.Rows));
        }
    }
}
