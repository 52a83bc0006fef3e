using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VroegSignalering.Functions.Tests.Operations;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Security;

/// <summary>
/// Teams registered the way Azure registers them (issue 12): app settings <c>Teams__Entries__&lt;n&gt;__…</c> that
/// infra/main.bicep renders from its <c>teams</c> parameter, no teams file and no keys. A team's Entra ID application
/// works its own gemeente's tasks and no other's; a configuration the app could not apply unambiguously stops the start.
/// </summary>
public sealed class TeamsFromSettingsTests
{
    private const string AmsterdamApp = "0a0a0a0a-0363-4000-8000-000000000001";
    private const string RotterdamApp = "0a0a0a0a-0599-4000-8000-000000000002";

    // As the app settings of a deployment with two teams, and no Teams__File.
    private static Dictionary<string, string?> AzureTeams() => new()
    {
        ["Teams:File"] = string.Empty,
        ["Teams:Entries:0:Id"] = "team-azure-0363",
        ["Teams:Entries:0:Name"] = "Team Amsterdam",
        ["Teams:Entries:0:Gemeentecode"] = "0363",
        ["Teams:Entries:0:EntraAppIds:0"] = AmsterdamApp,
        ["Teams:Entries:1:Id"] = "team-azure-0599",
        ["Teams:Entries:1:Name"] = "Team Rotterdam",
        ["Teams:Entries:1:Gemeentecode"] = "0599",
        ["Teams:Entries:1:EntraAppIds:0"] = RotterdamApp,
    };

    [Fact]
    public async Task A_team_registered_in_app_settings_works_its_own_gemeentes_tasks_with_an_entra_token_and_no_others()
    {
        using var app = new PipelineApp(AzureTeams(), TestTokens.TrustTestTokens);
        var amsterdam = await DispatchedTaskAsync(app, "TEAM-AZ-1");
        var rotterdam = await DispatchedTaskAsync(app, "TEAM-AZ-2", postcode: "3011AA", huisnummer: 3);
        var amsterdamToken = TestTokens.Create(AmsterdamApp, "Outcomes.Submit");
        var rotterdamToken = TestTokens.Create(RotterdamApp, "Outcomes.Submit");

        using (var own = await SendAsync(app, "GET", $"/api/v1/tasks/{amsterdam}", token: amsterdamToken))
        using (var attempt = await SendAsync(app, "POST", $"/api/v1/tasks/{amsterdam}/contactpogingen", token: amsterdamToken, json: Attempt("p-az-1")))
        using (var theirs = await SendAsync(app, "GET", $"/api/v1/tasks/{rotterdam}", token: amsterdamToken))
        using (var otherOwn = await SendAsync(app, "GET", $"/api/v1/tasks/{rotterdam}", token: rotterdamToken))
        using (var otherTheirs = await SendAsync(app, "POST", $"/api/v1/tasks/{amsterdam}/contactpogingen", token: rotterdamToken, json: Attempt("p-az-2")))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
            Assert.Equal(HttpStatusCode.OK, otherOwn.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, otherTheirs.StatusCode);
        }

        // The role alone grants nothing: the test file's team applications are not registered here, and no team key opens anything.
        using var unregistered = await SendAsync(app, "GET", $"/api/v1/tasks/{amsterdam}", token: TestTokens.Create(TestEnvironment.TeamAmsterdamEntraAppId, "Outcomes.Submit"));
        using var key = await SendAsync(app, "GET", $"/api/v1/tasks/{amsterdam}", apiKey: TestEnvironment.TeamAmsterdamKey);
        Assert.Equal(HttpStatusCode.Forbidden, unregistered.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, key.StatusCode);
        Assert.Single((await PartitionAsync(app, amsterdam)).Keys, k => k.StartsWith("p|", StringComparison.Ordinal));
    }

    public static TheoryData<string, string?, string> Refused => new()
    {
        { "Teams:Entries:1:Gemeentecode", null, "team team-azure-0599: gemeentecode is the CBS code of one gemeente, four digits (it is missing)" },
        { "Teams:Entries:1:Gemeentecode", "599", "team team-azure-0599: gemeentecode is the CBS code of one gemeente, four digits (it is '599')" },
        { "Teams:Entries:1:EntraAppIds:1", AmsterdamApp.ToUpperInvariant(), $"Entra app id {AmsterdamApp} is registered for team team-azure-0363 (gemeente 0363) and team team-azure-0599 (gemeente 0599)" },
        { "Teams:Entries:1:Id", "team-azure-0363", "team team-azure-0363 is listed twice" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void The_app_refuses_to_start_on_a_team_configuration_it_cannot_apply_and_names_the_team(string setting, string? value, string message)
    {
        var settings = TestEnvironment.Settings();
        foreach (var (name, teamValue) in AzureTeams())
        {
            settings[name] = teamValue;
        }

        settings[setting] = value;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        builder.AddVroegFunctions();
        using var host = builder.Build();

        var refused = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());

        Assert.Contains(message, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_teams_of_the_app_settings_pass_the_start()
    {
        var settings = TestEnvironment.Settings();
        foreach (var (name, value) in AzureTeams())
        {
            settings[name] = value;
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddVroegFunctions();
        using var host = builder.Build();

        host.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
    }
}
