using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VroegSignalering.Testing;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// The resources infra/main.bicep would deploy: `bicep build` compiles it to ARM JSON, and `bicep snapshot`
/// evaluates that JSON with the parameters of infra/main.parameters.json (azd placeholders filled with
/// test values) against a made-up subscription. Modules, loops and names come out expanded; values only
/// Azure knows at deploy time (client ids, connection strings) stay as ARM expressions such as
/// "[reference('&lt;resource id&gt;', ...).clientId]". Offline and deterministic.
/// </summary>
public sealed partial class PredictedDeployment : IDisposable
{
    public const string Collection = "predicted deployment";

    public const string SubscriptionId = "00000000-0000-0000-0000-0000000000a1";
    public const string TenantId = "00000000-0000-0000-0000-0000000000b2";
    public const string ResourceGroup = "rg-vroeg-test";
    public const string Location = "westeurope";

    /// <summary>What the azd placeholders in main.parameters.json stand for in these tests.</summary>
    public static readonly IReadOnlyDictionary<string, string> AzdEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AZURE_ENV_NAME"] = "test",
        ["AZURE_LOCATION"] = Location,
        ["VROEG_ALERT_EMAIL"] = "operators@example.org",
    };

    private readonly string _folder;

    public PredictedDeployment()
        : this(new Dictionary<string, JsonNode?>(StringComparer.Ordinal), AzdEnvironment)
    {
    }

    private PredictedDeployment(IReadOnlyDictionary<string, JsonNode?> overrides, IReadOnlyDictionary<string, string> azdEnvironment)
    {
        _folder = Directory.CreateTempSubdirectory("vroeg-infra-").FullName;
        var snapshot = Snapshot(_folder, overrides, azdEnvironment, out var parameters);
        snapshot.AssertClean();

        CompiledTemplate = File.ReadAllText(Path.Combine(_folder, "main.json"));
        Template = JsonNode.Parse(CompiledTemplate)!.AsObject();
        Parameters = parameters;

        var predicted = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "main.snapshot.json")))!.AsObject();
        Resources = predicted["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        AppSettings = FunctionApp["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => Evaluated((string)s!["value"]!), StringComparer.Ordinal);
    }

    /// <summary>
    /// The deployment with main.parameters.json as azd fills it in, and these parameters set on top
    /// (name to JSON value), e.g. privateNetworking = true.
    /// </summary>
    public static PredictedDeployment With(IReadOnlyDictionary<string, JsonNode?> overrides) => new(overrides, AzdEnvironment);

    /// <summary>Runs the evaluation only, for templates that should be refused: the snapshot's exit code and output.</summary>
    public static BicepResult TrySnapshot(IReadOnlyDictionary<string, JsonNode?> overrides)
    {
        var folder = Directory.CreateTempSubdirectory("vroeg-infra-").FullName;
        try
        {
            return Snapshot(folder, overrides, AzdEnvironment, out _);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static BicepResult Snapshot(
        string folder, IReadOnlyDictionary<string, JsonNode?> overrides, IReadOnlyDictionary<string, string> azdEnvironment, out IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        var infra = RepositoryRoot.File("infra");
        Bicep.Run(infra, "build", "main.bicep", "--no-restore", "--outfile", Path.Combine(folder, "main.json")).AssertClean();

        var values = LoadParameters(Path.Combine(infra, "main.parameters.json"), azdEnvironment);
        foreach (var (name, value) in overrides)
        {
            values[name] = value?.DeepClone();
        }

        parameters = values;
        File.WriteAllText(Path.Combine(folder, "main.bicepparam"), ToBicepParam(values));

        return Bicep.Run(
            folder, "snapshot", "main.bicepparam", "--mode", "overwrite",
            "--tenant-id", TenantId, "--subscription-id", SubscriptionId, "--resource-group", ResourceGroup,
            "--location", Location, "--deployment-name", "main");
    }

    /// <summary>The ARM JSON `bicep build` produced.</summary>
    public string CompiledTemplate { get; }

    public JsonObject Template { get; }

    /// <summary>infra/main.parameters.json with the azd placeholders filled in.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Parameters { get; }

    public IReadOnlyList<JsonObject> Resources { get; }

    /// <summary>
    /// The Function App's app settings as the deployment would set them: literal where the value is known
    /// before deployment, an ARM expression where only Azure knows it (e.g. the identity's client id).
    /// </summary>
    public IReadOnlyDictionary<string, string> AppSettings { get; }

    public JsonObject FunctionApp => Single("Microsoft.Web/sites");

    /// <summary>The app's identity (id-vroeg-…), not the deployment identity that writes the app package.</summary>
    public JsonObject Identity => Assert.Single(
        OfType("Microsoft.ManagedIdentity/userAssignedIdentities"),
        r => !((string)r["name"]!).StartsWith("id-vroeg-deploy-", StringComparison.Ordinal));

    /// <summary>The identity the Functions deployment service writes and reads the app package with.</summary>
    public JsonObject DeploymentIdentity => Assert.Single(
        OfType("Microsoft.ManagedIdentity/userAssignedIdentities"),
        r => ((string)r["name"]!).StartsWith("id-vroeg-deploy-", StringComparison.Ordinal));

    /// <summary>The storage account of the host and the app's data (AzureWebJobsStorage).</summary>
    public JsonObject DataStorage => Assert.Single(
        OfType("Microsoft.Storage/storageAccounts"), r => ((string)r["name"]!).StartsWith("stvroeg", StringComparison.Ordinal));

    /// <summary>The storage account of the Flex deployment package.</summary>
    public JsonObject PackageStorage => Assert.Single(
        OfType("Microsoft.Storage/storageAccounts"), r => ((string)r["name"]!).StartsWith("stpkg", StringComparison.Ordinal));

    /// <summary>Every role assignment of the deployment, with the scope taken from its id.</summary>
    public IEnumerable<RoleAssignment> RoleAssignments => OfType("Microsoft.Authorization/roleAssignments").Select(a =>
    {
        var id = (string)a["id"]!;
        return new RoleAssignment(
            id[..id.IndexOf("/providers/Microsoft.Authorization/", StringComparison.Ordinal)],
            ((string)a["properties"]!["roleDefinitionId"]!).Split('/')[^1],
            (string)a["properties"]!["principalId"]!,
            (string)a["properties"]!["principalType"]!);
    });

    public string IdentityId => (string)Identity["id"]!;

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type) => Assert.Single(OfType(type));

    /// <summary>The resource of this type whose name ends with the given last segment.</summary>
    public JsonObject? Find(string type, string lastNameSegment) =>
        OfType(type).SingleOrDefault(r => ((string)r["name"]!).Split('/')[^1] == lastNameSegment);

    /// <summary>Every string in the predicted resources, for "nothing anywhere holds X" checks.</summary>
    public IEnumerable<string> AllStrings() => Resources.SelectMany(r => Strings(r));

    /// <summary>True when the value is the ARM expression for a property of the app's identity, e.g. clientId.</summary>
    public bool IsIdentityProperty(string value, string property) =>
        value.StartsWith($"[reference('{IdentityId}', ", StringComparison.Ordinal)
        && value.EndsWith($").{property}]", StringComparison.Ordinal);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Evaluated(string value) => ArmExpression.TryEvaluate(value, out var result) ? result : value;

    /// <summary>The deployment with more azd environment variables set (as `azd env set` would), on top of <see cref="AzdEnvironment"/>.</summary>
    public static PredictedDeployment With(IReadOnlyDictionary<string, string> variables) =>
        new(new Dictionary<string, JsonNode?>(StringComparer.Ordinal),
            AzdEnvironment.Concat(variables).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal));

    private static Dictionary<string, JsonNode?> LoadParameters(string path, IReadOnlyDictionary<string, string> azdEnvironment)
    {
        var text = Placeholder().Replace(File.ReadAllText(path), m =>
            azdEnvironment.TryGetValue(m.Groups["name"].Value, out var value) ? value : m.Groups["default"].Value);
        var parameters = JsonNode.Parse(text)!["parameters"]!.AsObject();
        return parameters.ToDictionary(p => p.Key, p => p.Value!["value"]?.DeepClone(), StringComparer.Ordinal);
    }

    // Each value goes in as json('<the JSON>'), so arrays and objects need no translation to Bicep syntax.
    private static string ToBicepParam(IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        var text = new StringBuilder("using './main.json'\n");
        foreach (var (name, value) in parameters)
        {
            var json = value?.ToJsonString() ?? "null";
            var escaped = json.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("'", "\\'", StringComparison.Ordinal)
                .Replace("$", "\\$", StringComparison.Ordinal);
            text.Append(CultureInfo.InvariantCulture, $"param {name} = json('{escaped}')\n");
        }

        return text.ToString();
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [(string)v!],
        _ => [],
    };

    // azd's ${NAME} and ${NAME=default}.
    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(=(?<default>[^}]*))?\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}

/// <summary>A role assignment of the predicted deployment: the scope it applies to, the role definition's GUID and the principal.</summary>
public sealed record RoleAssignment(string Scope, string Role, string PrincipalId, string PrincipalType);

/// <summary>Test classes in this collection share one <see cref="PredictedDeployment"/>.</summary>
[CollectionDefinition(PredictedDeployment.Collection)]
public sealed class PredictedDeploymentCollection : ICollectionFixture<PredictedDeployment>;
