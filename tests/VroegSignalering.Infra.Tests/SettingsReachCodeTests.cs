using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VroegSignalering.Functions;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// Every app setting infra gives the Function App does something: the worker reads it while it builds, validates its options
/// and creates its functions, or the Functions host (or the platform) reads it for a documented reason. A setting nobody reads is a
/// setting an operator changes to no effect.
/// </summary>
[Collection(PredictedDeployment.Collection)]
public sealed class SettingsReachCodeTests
{
    // Read outside the worker's configuration, each for the reason given. Settings named as %Name% in functions.metadata are the host's too.
    private static readonly Dictionary<string, string> ReadByHostOrPlatform = new(StringComparer.Ordinal)
    {
        ["AZURE_CLIENT_ID"] = "Azure.Identity reads it from the environment to pick the user-assigned identity",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "the Functions host's Application Insights integration authenticates with it",
        ["AzureWebJobsStorage__credential"] = "the Functions host's storage connection (triggers, leases, timers)",
        ["AzureWebJobsStorage__clientId"] = "the Functions host's storage connection (triggers, leases, timers)",
    };

    private readonly PredictedDeployment _deployment;

    public SettingsReachCodeTests(PredictedDeployment deployment) => _deployment = deployment;

    [Fact]
    public void Every_app_setting_is_read_by_the_worker_or_by_the_host_for_a_stated_reason()
    {
        var unread = Unread(_deployment);

        Assert.True(unread.Count == 0, "app settings nothing reads: " + string.Join(", ", unread));
        Assert.All(ReadByHostOrPlatform.Keys, name => Assert.True(_deployment.AppSettings.ContainsKey(name), $"{name} is listed as read by the host but infra no longer sets it"));
    }

    [Fact]
    public void The_settings_of_registered_teams_and_per_gemeente_retention_terms_are_read_by_the_worker_too()
    {
        using var deployment = PredictedDeployment.With(new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["teams"] = JsonNode.Parse("""
                [
                  { "id": "team-0363", "name": "Team Amsterdam", "gemeentecode": "0363", "entraAppIds": [ "00000000-0000-0000-0000-0000000000f1", "00000000-0000-0000-0000-0000000000f2" ] },
                  { "id": "team-0599", "name": "Team Rotterdam", "gemeentecode": "0599", "entraAppIds": [ "00000000-0000-0000-0000-0000000000f3" ] }
                ]
                """),
            ["retentionGemeenten"] = JsonNode.Parse("""{ "0363": { "ClosedCaseWithoutHelpDays": 120, "ContactAttemptDays": 90 } }"""),
        });
        Assert.Contains("Teams__Entries__1__EntraAppIds__0", deployment.AppSettings.Keys);
        Assert.Contains("Retention__Gemeenten__0363__ContactAttemptDays", deployment.AppSettings.Keys);

        var unread = Unread(deployment);

        Assert.True(unread.Count == 0, "app settings nothing reads: " + string.Join(", ", unread));
    }

    private static List<string> Unread(PredictedDeployment deployment)
    {
        var settings = deployment.AppSettings.ToDictionary(s => s.Key, s => Concrete(s.Key, s.Value), StringComparer.Ordinal);
        var tracking = new ReadTrackingSource(settings.ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => (string?)s.Value, StringComparer.OrdinalIgnoreCase));

        using (var host = AppHost(tracking))
        {
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            _ = host.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme); // as the first bearer token would
            using var scope = host.Services.CreateScope();
            foreach (var type in FunctionClasses())
            {
                ActivatorUtilities.CreateInstance(scope.ServiceProvider, type);
            }
        }

        var byHost = FunctionDefinition.FromMetadata().SelectMany(f => f.Bindings.SelectMany(BindingCheck.SettingReferences)).ToHashSet(StringComparer.Ordinal);
        return settings.Keys
            .Where(name => !tracking.Read.Contains(name.Replace("__", ":", StringComparison.Ordinal)) && !byHost.Contains(name) && !ReadByHostOrPlatform.ContainsKey(name))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    [Fact]
    public void The_check_reports_a_setting_nothing_reads()
    {
        var tracking = new ReadTrackingSource(new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Dispatch:TimeToLive"] = "14.00:00:00", ["OutcomesQueue"] = "outreach-outcomes" });
        using (var host = AppHost(tracking))
        {
            _ = host.Services.GetRequiredService<IOptions<Core.Outreach.OutreachOptions>>().Value;
        }

        Assert.Contains("Dispatch:TimeToLive", tracking.Read);
        Assert.DoesNotContain("OutcomesQueue", tracking.Read);
    }

    // The value the platform would hand the app: Key Vault references resolved (to a test key), identity and component references made concrete.
    private static string Concrete(string name, string value) => value switch
    {
        _ when value.StartsWith("@Microsoft.KeyVault(", StringComparison.Ordinal) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        _ when !value.StartsWith('[') => value,
        _ when name == "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" && value.Contains(").clientId", StringComparison.Ordinal) => "ClientId=00000000-0000-0000-0000-0000000000c1;Authorization=AAD",
        _ when value.EndsWith(").clientId]", StringComparison.Ordinal) => "00000000-0000-0000-0000-0000000000c1",
        _ when name == "APPLICATIONINSIGHTS_CONNECTION_STRING" =>
            "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
        _ when value.Contains("tenantId", StringComparison.Ordinal) => "00000000-0000-0000-0000-0000000000a1",
        _ => throw new InvalidOperationException($"app setting {name} is an ARM expression this test cannot stand in for: {value}"),
    };

    // The app's own registration (what WorkerApp and the local host both call) on configuration that records what is read,
    // present before registration because some settings are read while registering.
    private static IHost AppHost(ReadTrackingSource tracking)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        ((IConfigurationBuilder)builder.Configuration).Add(tracking);
        builder.AddVroegFunctions();
        return builder.Build();
    }

    private static IEnumerable<Type> FunctionClasses() => typeof(WorkerApp).Assembly.GetTypes()
        .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes().Any(a => a.GetType().Name == "FunctionAttribute")));

    private sealed class ReadTrackingSource(Dictionary<string, string?> data) : IConfigurationSource
    {
        public HashSet<string> Read { get; } = new(StringComparer.OrdinalIgnoreCase);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this, data);

        private sealed class Provider(ReadTrackingSource source, Dictionary<string, string?> values) : ConfigurationProvider
        {
            public override void Load() => Data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);

            public override bool TryGet(string key, out string? value)
            {
                var found = base.TryGet(key, out value);
                if (found)
                {
                    lock (source.Read)
                    {
                        source.Read.Add(key);
                    }
                }

                return found;
            }
        }
    }
}
