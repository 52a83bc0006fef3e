using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Tests.Triage;

public class TriageOptionsTests
{
    [Fact]
    public void An_empty_policy_has_the_documented_defaults()
    {
        var p = new GemeentePolicy();

        Assert.Equal(14, p.Window);
        Assert.Equal(120, p.Settle);
        Assert.Equal(14, p.Due);
        Assert.Equal(3, p.SpoedDue);
        Assert.Equal(20, p.EndOfSupplyLead);
        Assert.Equal(10m, p.Growth);
        Assert.Null(p.MinimumAmount);
        Assert.Equal("schuldhulpverlening", p.Team);
        Assert.Null(p.YouthRoute);
    }

    [Fact]
    public void A_gemeente_without_its_own_policy_gets_the_default()
    {
        var options = new TriageOptions { Default = new GemeentePolicy { DueDays = 10 } };

        Assert.Same(options.Default, options.For("0363"));
    }

    [Fact]
    public void A_gemeente_override_takes_the_default_for_everything_it_leaves_out()
    {
        var options = new TriageOptions
        {
            Default = new GemeentePolicy
            {
                WindowDays = 21,
                SpoedDueWorkingDays = 2,
                MinimumAmount = 50m,
                DefaultTeam = "shv-regio",
                YouthRoute = new AgeRoute { MinAge = 18, MaxAge = 23, Team = "jongeren" },
                TeamsByWijk = { ["036301"] = "wijkteam-centrum" },
                Weights = { ["WOONLASTEN"] = 12, ["CRISIS"] = 60 },
            },
            Gemeenten =
            {
                ["0363"] = new GemeentePolicy { DueDays = 7, MinimumAmount = 75m, Weights = { ["CRISIS"] = 70 } },
            },
        };

        var p = options.For("0363");

        Assert.Equal(7, p.Due);
        Assert.Equal(75m, p.MinimumAmount);
        Assert.Equal(21, p.Window);
        Assert.Equal(2, p.SpoedDue);
        Assert.Equal(120, p.Settle);
        Assert.Equal("shv-regio", p.Team);
        Assert.Equal("jongeren", p.YouthRoute!.Team);
        Assert.Equal("wijkteam-centrum", p.TeamsByWijk["036301"]);
        Assert.Equal(70, p.Weights["CRISIS"]);
        Assert.Equal(12, p.Weights["WOONLASTEN"]);
    }

    [Fact]
    public void Merging_an_override_does_not_change_the_default()
    {
        var options = new TriageOptions
        {
            Default = new GemeentePolicy { Weights = { ["CRISIS"] = 60 } },
            Gemeenten = { ["0363"] = new GemeentePolicy { Weights = { ["CRISIS"] = 70 } } },
        };

        _ = options.For("0363");

        Assert.Equal(60, options.Default.Weights["CRISIS"]);
        Assert.Equal(60, options.For("0599").Weights["CRISIS"]);
    }
}
