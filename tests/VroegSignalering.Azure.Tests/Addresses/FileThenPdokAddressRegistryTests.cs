using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Addresses;
using VroegSignalering.Core.Routing;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Addresses;

/// <summary>Routing order: the CBS file first, PDOK only for what the file does not route, and only when configured.</summary>
public sealed class FileThenPdokAddressRegistryTests
{
    private static readonly AreaCodes PdokArea = new("0599", "059901", "05990101");

    [Fact]
    public async Task An_address_the_file_routes_never_reaches_PDOK()
    {
        var pdok = new CountingRegistry(RoutingResult.Found(PdokArea));
        var registry = new FileThenPdokAddressRegistry(File(), pdok);

        var route = await registry.RouteAsync("1011AB", 1, null, CancellationToken.None);

        Assert.Equal(new AreaCodes("0363", "036301", "03630101"), route.Area);
        Assert.Empty(pdok.Asked);
    }

    [Fact]
    public async Task An_address_the_file_does_not_know_is_asked_of_PDOK_after_the_file()
    {
        var pdok = new CountingRegistry(RoutingResult.Found(PdokArea));
        var registry = new FileThenPdokAddressRegistry(File(), pdok);

        var route = await registry.RouteAsync("9999ZZ", 5, "A", CancellationToken.None);

        Assert.Equal(PdokArea, route.Area);
        Assert.Equal(["9999ZZ 5 A"], pdok.Asked);
    }

    [Fact]
    public async Task Not_found_in_either_is_not_found_and_ambiguous_in_the_file_stays_ambiguous_when_PDOK_does_not_know_it()
    {
        var pdok = new CountingRegistry(RoutingResult.NotFound("PDOK knows no such address"));
        var registry = new FileThenPdokAddressRegistry(File("1011AB;1;3630102;36301;363\n"), pdok);

        Assert.Equal(RoutingStatus.NotFound, (await registry.RouteAsync("9999ZZ", 5, null, CancellationToken.None)).Status);
        Assert.Equal(RoutingStatus.Ambiguous, (await registry.RouteAsync("1011AB", 1, null, CancellationToken.None)).Status);
        Assert.Equal(2, pdok.Asked.Count);
    }

    [Theory]
    [InlineData("true", typeof(FileThenPdokAddressRegistry))]
    [InlineData("false", typeof(CbsFileAddressRegistry))]
    public void Pdok_fallback_is_used_only_when_configured(string fallback, Type expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["AddressRegistry:CbsFile"] = TestEnvironment.DataFile("cbs-sample.csv"),
            ["AddressRegistry:PdokFallback"] = fallback,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddVroegAzure(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.IsType(expected, provider.GetRequiredService<IAddressRegistry>());
    }

    private static CbsFileAddressRegistry File(string extra = "") =>
        new(CbsAddressIndex.Load(new MemoryStream(Encoding.UTF8.GetBytes("PC6;Huisnummer;Buurt2026;Wijk2026;Gemeente2026\n1011AB;1;3630101;36301;363\n" + extra))));

    private sealed class CountingRegistry(RoutingResult answer) : IAddressRegistry
    {
        public List<string> Asked { get; } = [];

        public ValueTask<RoutingResult> RouteAsync(string postcode, int huisnummer, string? toevoeging, CancellationToken cancellationToken)
        {
            lock (Asked)
            {
                Asked.Add($"{postcode} {huisnummer} {toevoeging}".TrimEnd());
            }

            return ValueTask.FromResult(answer);
        }
    }
}
