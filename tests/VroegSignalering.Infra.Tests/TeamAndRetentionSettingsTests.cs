using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Retention;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// The municipal teams and the retention terms reach the app in Azure as app settings (issue 12): a team listed in the
/// <c>teams</c> parameter is the team the app finds for its Entra ID application, with its gemeente and no key; the
/// retention terms the deployment states are the app's documented defaults, and a per-gemeente term applies to that gemeente.
/// </summary>
[Collection(PredictedDeployment.Collection)]
public sealed class TeamAndRetentionSettingsTests(PredictedDeployment deployment)
{
    private const string AmsterdamApp = "00000000-0000-0000-0000-0000000000f1";
    private const string RotterdamApp = "00000000-0000-0000-0000-0000000000f3";

    [Fact]
    public void Without_teams_the_deployment_registers_no_team()
    {
        Assert.DoesNotContain(deployment.AppSettings.Keys, k => k.StartsWith("Teams__", StringComparison.Ordinal));
        Assert.Empty(TeamKeys.Load(Bind<TeamOptions>(deployment, TeamOptions.Section)));
    }

    [Fact]
    public void A_team_of_the_teams_parameter_is_found_by_its_entra_app_id_with_its_own_gemeente_and_has_no_key()
    {
        using var withTeams = PredictedDeployment.With(new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["teams"] = JsonNode.Parse($$"""
                [
                  { "id": "team-0363", "name": "Team Amsterdam", "gemeentecode": "0363", "entraAppIds": [ "{{AmsterdamApp}}", "00000000-0000-0000-0000-0000000000f2" ] },
                  { "id": "team-0599", "gemeentecode": "0599", "entraAppIds": [ "{{RotterdamApp}}" ] }
                ]
                """),
        });

        var teams = new TeamKeys(Options.Create(Bind<TeamOptions>(withTeams, TeamOptions.Section)));

        Assert.Equal("team-0363", teams.FindByEntraAppId(AmsterdamApp));
        Assert.Equal("team-0363", teams.FindByEntraAppId("00000000-0000-0000-0000-0000000000f2"));
        Assert.Equal("team-0599", teams.FindByEntraAppId(RotterdamApp));
        Assert.Equal("0363", teams.GemeenteOf("team-0363"));
        Assert.Equal("0599", teams.GemeenteOf("team-0599"));
        Assert.Equal("team-0599", withTeams.AppSettings["Teams__Entries__1__Name"]); // a team without a name is called by its id
        Assert.DoesNotContain(withTeams.AppSettings.Keys, k => k.Contains("ApiKey", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_team_of_a_gemeente_the_deployment_does_not_serve_is_refused_before_anything_is_deployed()
    {
        var result = PredictedDeployment.TrySnapshot(new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["teams"] = JsonNode.Parse("""[ { "id": "team-9999", "gemeentecode": "9999", "entraAppIds": [ "00000000-0000-0000-0000-0000000000f9" ] } ]"""),
        });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("team team-9999: gemeentecode must be one of gemeenteCodes", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_deployment_states_the_documented_default_term_of_every_kind()
    {
        var options = Bind<RetentionOptions>(deployment, RetentionOptions.Section);

        Assert.All(Enum.GetValues<RetentionKind>(), kind =>
        {
            Assert.True(deployment.AppSettings.ContainsKey("Retention__Default__" + RetentionTerms.SettingName(kind)), $"no Retention__Default__ setting for {kind}");
            Assert.Equal(RetentionTerms.BuiltIn(kind), options.Default.Get(kind));
        });
        Assert.DoesNotContain(deployment.AppSettings.Keys, k => k.StartsWith("Retention__Gemeenten__", StringComparison.Ordinal));
    }

    [Fact]
    public void A_per_gemeente_term_applies_to_that_gemeente_only_and_passes_the_apps_validation()
    {
        using var withTerms = PredictedDeployment.With(new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["retentionClosedCaseWithoutHelpDays"] = JsonNode.Parse("150"),
            ["retentionGemeenten"] = JsonNode.Parse("""{ "0363": { "ClosedCaseWithoutHelpDays": 120 } }"""),
        });

        var options = Bind<RetentionOptions>(withTerms, RetentionOptions.Section);

        Assert.True(new RetentionOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(120, options.Days(RetentionKind.ClosedCaseWithoutHelp, "0363"));
        Assert.Equal(150, options.Days(RetentionKind.ClosedCaseWithoutHelp, "0599"));
        Assert.Equal(183, options.Days(RetentionKind.ContactAttempt, "0363"));
    }

    // The section as the app binds it from the deployment's app settings ("__" is the section separator).
    private static T Bind<T>(PredictedDeployment deployment, string section)
        where T : new()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(deployment.AppSettings
                .Where(s => s.Key.StartsWith(section + "__", StringComparison.Ordinal))
                .Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }
}
