using System.Text;
using VroegSignalering.Azure.Addresses;
using VroegSignalering.Core.Routing;

namespace VroegSignalering.Azure.Tests.Addresses;

public class CbsAddressIndexTests
{
    private static CbsAddressIndex Load(string text) => CbsAddressIndex.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task The_cbs_file_format_routes_postcode_and_house_number_with_zero_padded_codes()
    {
        var index = Load("PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n1011AB;12;3630101;36301;363\n9711AA;3;140102;1401;14\n");
        var registry = new CbsFileAddressRegistry(index);

        var amsterdam = await registry.RouteAsync("1011AB", 12, null, CancellationToken.None);
        var groningen = await registry.RouteAsync("9711AA", 3, "b", CancellationToken.None);

        Assert.Equal(new AreaCodes("0363", "036301", "03630101"), amsterdam.Area);
        Assert.Equal(new AreaCodes("0014", "001401", "00140102"), groningen.Area);
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public async Task An_address_listed_with_two_buurten_is_ambiguous_and_an_unknown_one_not_found()
    {
        var index = Load("PC6;Huisnummer;Buurt2026\n1011AB;1;3630101\n1011AB;1;3630102\n1011AB;2;3630101\n1011AB;2;3630101\n");
        var registry = new CbsFileAddressRegistry(index);

        Assert.Equal(RoutingStatus.Ambiguous, (await registry.RouteAsync("1011AB", 1, null, CancellationToken.None)).Status);
        Assert.Equal(RoutingStatus.Routed, (await registry.RouteAsync("1011AB", 2, null, CancellationToken.None)).Status);
        Assert.Equal(RoutingStatus.NotFound, (await registry.RouteAsync("1011AB", 3, null, CancellationToken.None)).Status);
        Assert.Equal(2, index.Count);
    }

    [Theory]
    [InlineData("Postcode;Nummer;Buurt\n", "PC6;Huisnummer;Buurt")]
    [InlineData("PC6;Huisnummer;Buurt2026\n1011AB;twelve;3630101\n", "line 2")]
    [InlineData("PC6;Huisnummer;Buurt2026;Wijk2026\n1011AB;1;3630101;59901\n", "wijk 59901 does not contain buurt 3630101")]
    [InlineData("", "empty")]
    public void A_malformed_file_is_refused_with_the_line_and_reason(string text, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Load(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_synthetic_file_loads()
    {
        using var stream = File.OpenRead(VroegSignalering.Testing.RepositoryRoot.File("data", "addresses", "pc6hnr20260801_gwb.csv"));

        var index = CbsAddressIndex.Load(stream);

        Assert.True(index.Count > 30_000);
    }
}
