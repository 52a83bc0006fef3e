using System.Text.Json.Nodes;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// Every parameter of infra/main.bicep either reaches the app, as an app setting whose value follows it (and SettingsReachCodeTests proves the
/// app reads every app setting), or shapes only the infrastructure, for a stated reason. A new parameter must be put in one of the two lists.
/// </summary>
[Collection(PredictedDeployment.Collection)]
public sealed class ParametersReachAppTests
{
    // Parameter, a value other than the default, the app setting it must reach, and that setting's value then.
    public static TheoryData<string, string, string, string> ReachTheApp => new()
    {
        { "environmentName", "\"other\"", "AzureWebJobsStorage__accountName", "*" }, // every name the app is given; '*': differs from the default
        { "entraAudience", "\"api://00000000-0000-0000-0000-0000000000e1\"", "Auth__Entra__Audience", "api://00000000-0000-0000-0000-0000000000e1" },
        { "entraApiClientId", "\"00000000-0000-0000-0000-0000000000e2\"", "Auth__Entra__ClientId", "00000000-0000-0000-0000-0000000000e2" },
        { "addressRegistrySource", "\"CbsFile\"", "AddressRegistry__Source", "CbsFile" },
        { "duplicateDetectionWindowMinutes", "90", "Dispatch__ServiceBus__DuplicateDetectionWindow", "0.01:30:00" },
        { "messageTimeToLiveDays", "7", "Dispatch__TimeToLive", "7.00:00:00" },
        { "quarantineAlertAfterDays", "10", "Quarantine__AlertAfterDays", "10" },
        { "keyVaultGeneration", "2", "Keys__Encryption__Keys__k1", "*" }, // the vault the Key Vault references point to
        { "hmacKeyIds", "\"k1,k2\"", "Keys__Hmac__Keys__k2", "*" },
        { "hmacActiveKeyId", "\"k2\"", "Keys__Hmac__ActiveKeyId", "k2" },
        { "encryptionKeyIds", "\"k1,k2\"", "Keys__Encryption__Keys__k2", "*" },
        { "encryptionActiveKeyId", "\"k2\"", "Keys__Encryption__ActiveKeyId", "k2" },
        { "teams", """[{"id":"team-0363","name":"Team 0363","gemeentecode":"0363","entraAppIds":["00000000-0000-0000-0000-0000000000f1"]}]""", "Teams__Entries__0__EntraAppIds__0", "00000000-0000-0000-0000-0000000000f1" },
        { "retentionQuarantinedSignalDays", "45", "Retention__Default__QuarantinedSignalDays", "45" },
        { "retentionSignalWithoutCaseDays", "45", "Retention__Default__SignalWithoutCaseDays", "45" },
        { "retentionContactAttemptDays", "100", "Retention__Default__ContactAttemptDays", "100" },
        { "retentionClosedCaseWithoutHelpDays", "120", "Retention__Default__ClosedCaseWithoutHelpDays", "120" },
        { "retentionClosedCaseWithHelpDays", "400", "Retention__Default__ClosedCaseWithHelpDays", "400" },
        { "retentionOutboxMessageDays", "14", "Retention__Default__OutboxMessageDays", "14" },
        { "retentionCreditorFeedbackDays", "60", "Retention__Default__CreditorFeedbackDays", "60" },
        { "retentionReferenceClaimDays", "730", "Retention__Default__ReferenceClaimDays", "730" },
        { "retentionGemeenten", """{"0599":{"ClosedCaseWithoutHelpDays":150}}""", "Retention__Gemeenten__0599__ClosedCaseWithoutHelpDays", "150" },
    };

    // Shape the infrastructure only; the app neither needs nor could use them.
    private static readonly Dictionary<string, string> InfrastructureOnly = new(StringComparer.Ordinal)
    {
        ["location"] = "where resources go",
        ["gemeenteCodes"] = "which topics, subscriptions and per-gemeente alerts exist; the app picks a topic by the task's own gemeentecode",
        ["serviceBusSku"] = "the namespace's tier",
        ["serviceBusPremiumCapacity"] = "messaging units on Premium",
        ["topicMaxSizeInMegabytes"] = "each topic's quota and the topic-size alert's threshold",
        ["maximumInstanceCount"] = "Flex Consumption scale-out limit, read by the platform",
        ["instanceMemoryMB"] = "Flex Consumption instance size, read by the platform",
        ["storageSku"] = "storage redundancy",
        ["keyVaultPurgeProtection"] = "the vault's protection",
        ["keyVaultRecover"] = "whether the vault is recovered from soft delete",
        ["privateNetworking"] = "endpoints and VNet integration; the app reaches the same names either way",
        ["virtualNetworkAddressPrefix"] = "the VNet's address space",
        ["principalId"] = "the operator who gets roles",
        ["principalType"] = "the kind of that principal",
        ["hmacKeyK1"] = "optional initial secret value written to Key Vault; the app reads it through the Key Vault reference",
        ["encryptionKeyK1"] = "optional initial secret value written to Key Vault; the app reads it through the Key Vault reference",
        ["alertEmail"] = "who receives alerts",
        ["logRetentionInDays"] = "how long telemetry is kept",
    };

    private readonly PredictedDeployment _deployment;

    public ParametersReachAppTests(PredictedDeployment deployment) => _deployment = deployment;

    [Fact]
    public void Every_parameter_either_reaches_an_app_setting_or_is_stated_to_shape_only_the_infrastructure()
    {
        var reaching = ReachTheApp.Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        var declared = _deployment.Template["parameters"]!.AsObject().Select(p => p.Key).ToList();

        var unclassified = declared.Where(p => !reaching.Contains(p) && !InfrastructureOnly.ContainsKey(p)).ToList();
        var both = declared.Where(p => reaching.Contains(p) && InfrastructureOnly.ContainsKey(p)).ToList();
        var gone = reaching.Concat(InfrastructureOnly.Keys).Where(p => !declared.Contains(p)).ToList();

        Assert.True(unclassified.Count == 0, "parameters in neither list: " + string.Join(", ", unclassified));
        Assert.True(both.Count == 0, "parameters in both lists: " + string.Join(", ", both));
        Assert.True(gone.Count == 0, "listed but not declared: " + string.Join(", ", gone));
    }

    [Theory]
    [MemberData(nameof(ReachTheApp))]
    public void A_parameter_the_app_needs_changes_its_app_setting(string parameter, string value, string setting, string expected)
    {
        using var changed = PredictedDeployment.With(new Dictionary<string, JsonNode?>(StringComparer.Ordinal) { [parameter] = JsonNode.Parse(value) });

        Assert.True(changed.AppSettings.TryGetValue(setting, out var actual), $"{parameter} = {value} gives no app setting {setting}");
        if (expected == "*")
        {
            Assert.NotEqual(_deployment.AppSettings.GetValueOrDefault(setting), actual);
        }
        else
        {
            Assert.Equal(expected, actual);
        }
    }
}
