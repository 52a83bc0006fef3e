using System.Security.Cryptography;

namespace VroegSignalering.Testing;

/// <summary>
/// Settings for one isolated app instance on the shared Azurite: its own table prefix and queue names,
/// fresh random keys, the test creditors and operators, and the small synthetic CBS address file.
/// </summary>
public static class TestEnvironment
{
    public const string HuurKey = "test-key-huur";
    public const string EnergieKey = "test-key-energie";
    public const string WaterKey = "test-key-water";
    public const string ZorgKey = "test-key-zorg";
    public const string MultiKey = "test-key-multi";
    public const string OperatorKey = "test-key-operator";
    public const string OperatorId = "test-operator";
    public const string HuurEntraAppId = "11111111-1111-1111-1111-111111111111";

    /// <summary>Municipal teams (TestData/teams.json): one for gemeente 0363, one for 0599.</summary>
    public const string TeamAmsterdamKey = "test-key-team-0363";
    public const string TeamRotterdamKey = "test-key-team-0599";
    public const string TeamAmsterdamEntraAppId = "33333333-3333-3333-3333-333333333333";
    public const string TeamRotterdamEntraAppId = "44444444-4444-4444-4444-444444444444";

    public static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public static Dictionary<string, string?> Settings(string? prefix = null)
    {
        var p = prefix ?? Azurite.UniqueName("t");
        return new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["LocalHost:RunTriggers"] = "false",
            ["Storage:TablePrefix"] = p,
            ["SignalsIntakeQueue"] = p + "-intake",
            ["DispatchQueue"] = p + "-dispatch",
            ["Dispatch:Transport"] = "Local",
            ["Keys:Encryption:ActiveKeyId"] = "t1",
            ["Keys:Encryption:Keys:t1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Keys:Hmac:ActiveKeyId"] = "h1",
            ["Keys:Hmac:Keys:h1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Creditors:File"] = DataFile("creditors.json"),
            ["Operators:File"] = DataFile("operators.json"),
            ["Teams:File"] = DataFile("teams.json"),
            ["AddressRegistry:CbsFile"] = DataFile("cbs-sample.csv"),
            ["Triage:Default:SettleSeconds"] = "0",
        };
    }
}
