using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Tests.Common;

public class PartnerTypeTests
{
    [Fact]
    public void The_ddas_names_are_exactly_the_eleven_of_the_standard()
    {
        string[] standard =
            ["Energie", "Huur", "Hypotheek", "CAK Zorgverzekeringen", "Zorg", "Water", "DUO", "Belastingdienst", "CAK Eigen bijdrage", "Overige", "Dienst Toeslagen"];

        Assert.Equal(standard.Order(StringComparer.Ordinal), PartnerTypes.All.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_partner_type_round_trips_through_its_ddas_name()
    {
        foreach (var type in Enum.GetValues<PartnerType>())
        {
            Assert.True(PartnerTypes.TryParse(type.ToDdas(), out var parsed), type.ToDdas());
            Assert.Equal(type, parsed);
            Assert.True(PartnerTypes.TryParse(" " + type.ToDdas().ToUpperInvariant() + " ", out parsed));
            Assert.Equal(type, parsed);
        }
    }

    [Theory]
    [InlineData("Gas")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("CAK")]
    public void Names_outside_the_standard_are_not_partner_types(string? name)
    {
        Assert.False(PartnerTypes.TryParse(name, out _));
    }

    [Theory]
    [InlineData(PartnerType.Energie, true, false)]
    [InlineData(PartnerType.Water, true, false)]
    [InlineData(PartnerType.Huur, false, true)]
    [InlineData(PartnerType.Hypotheek, false, true)]
    [InlineData(PartnerType.CakZorgverzekeringen, false, false)]
    [InlineData(PartnerType.Zorg, false, false)]
    [InlineData(PartnerType.Duo, false, false)]
    [InlineData(PartnerType.Belastingdienst, false, false)]
    [InlineData(PartnerType.CakEigenBijdrage, false, false)]
    [InlineData(PartnerType.Overige, false, false)]
    [InlineData(PartnerType.DienstToeslagen, false, false)]
    public void Utilities_and_housing_are_classified(PartnerType type, bool utility, bool housing)
    {
        Assert.Equal(utility, type.IsUtility());
        Assert.Equal(housing, type.IsHousing());
    }
}
