using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VroegSignalering.Infra.Tests;

/// <summary>One function as functions.metadata lists it: its name and its bindings.</summary>
public sealed record FunctionDefinition(string Name, IReadOnlyList<JsonObject> Bindings)
{
    /// <summary>
    /// Every function of the app, from the functions.metadata the Worker SDK wrote into this build's output
    /// (the project references functions/): the file the Functions host reads in Azure.
    /// </summary>
    public static IReadOnlyList<FunctionDefinition> FromMetadata() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")))!.AsArray()
            .Select(f => new FunctionDefinition((string)f!["name"]!, f["bindings"]!.AsArray().Select(b => b!.AsObject()).ToList()))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();

    public static FunctionDefinition Parse(string name, string json) =>
        new(name, JsonNode.Parse(json)!["bindings"]!.AsArray().Select(b => b!.AsObject()).ToList());
}

/// <summary>
/// Checks the functions' bindings against what the infrastructure provides: every %Setting% is an app
/// setting, every connection is configured (identity-based), every trigger source exists. Returns the
/// problems instead of asserting, so the check itself can be tested.
/// </summary>
public static partial class BindingCheck
{
    /// <summary>Storage queues the app writes to; a queueTrigger on any other queue would never fire.</summary>
    public static readonly IReadOnlySet<string> QueuesTheAppWritesTo = new HashSet<string>(StringComparer.Ordinal)
    {
        "signals-intake",
        "dispatch",
    };

    private static readonly HashSet<string> StorageBindings = new(StringComparer.OrdinalIgnoreCase) { "queueTrigger", "queue", "blobTrigger", "blob", "table" };
    private static readonly HashSet<string> ServiceBusBindings = new(StringComparer.OrdinalIgnoreCase) { "serviceBusTrigger", "serviceBus" };

    public static IReadOnlyList<string> Problems(IEnumerable<FunctionDefinition> functions, PredictedDeployment deployment)
    {
        var problems = new List<string>();
        var settings = deployment.AppSettings;
        foreach (var function in functions)
        {
            foreach (var binding in function.Bindings)
            {
                var type = (string?)binding["type"] ?? "";
                var where = $"{function.Name} ({type} '{(string?)binding["name"]}')";

                foreach (var reference in SettingReferences(binding))
                {
                    if (!settings.ContainsKey(reference))
                    {
                        problems.Add($"{where}: %{reference}% has no app setting");
                    }
                }

                if (StorageBindings.Contains(type))
                {
                    problems.AddRange(CheckConnection(where, (string?)binding["connection"] ?? "AzureWebJobsStorage", "accountName", settings));
                }

                if (ServiceBusBindings.Contains(type))
                {
                    problems.AddRange(CheckConnection(where, (string?)binding["connection"] ?? "AzureWebJobsServiceBus", "fullyQualifiedNamespace", settings));
                }

                switch (type.ToLowerInvariant())
                {
                    case "queuetrigger":
                        problems.AddRange(CheckStorageQueue(where, Resolve((string?)binding["queueName"], settings), deployment));
                        break;
                    case "servicebustrigger":
                        problems.AddRange(CheckServiceBusSource(where, binding, settings, deployment));
                        break;
                    case "timertrigger":
                        var schedule = Resolve((string?)binding["schedule"], settings);
                        if (schedule is null || schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
                        {
                            problems.Add($"{where}: schedule '{schedule}' is not a six-field NCRONTAB expression");
                        }

                        break;
                }
            }
        }

        return problems;
    }

    /// <summary>The names inside %...% anywhere in the binding.</summary>
    public static IEnumerable<string> SettingReferences(JsonObject binding) =>
        binding.Select(p => p.Value).OfType<JsonValue>()
            .Select(v => v.TryGetValue<string>(out var s) ? s : null)
            .Where(s => s is not null)
            .SelectMany(s => SettingReference().Matches(s!).Select(m => m.Groups[1].Value))
            .Distinct(StringComparer.Ordinal);

    /// <summary>Replaces %Setting% with the setting's value, as the Functions host does.</summary>
    public static string? Resolve(string? value, IReadOnlyDictionary<string, string> settings) =>
        value is null ? null : SettingReference().Replace(value, m => settings.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    private static IEnumerable<string> CheckConnection(string where, string connection, string endpointKey, IReadOnlyDictionary<string, string> settings)
    {
        if (settings.ContainsKey(connection))
        {
            yield return $"{where}: connection '{connection}' is a connection string; use identity-based {connection}__{endpointKey}";
            yield break;
        }

        if (!settings.ContainsKey($"{connection}__{endpointKey}"))
        {
            yield return $"{where}: connection '{connection}' has no {connection}__{endpointKey} setting";
        }

        if (!settings.TryGetValue($"{connection}__credential", out var credential) || credential != "managedidentity")
        {
            yield return $"{where}: connection '{connection}' needs {connection}__credential=managedidentity";
        }

        if (!settings.ContainsKey($"{connection}__clientId"))
        {
            yield return $"{where}: connection '{connection}' needs {connection}__clientId (the identity is user-assigned)";
        }
    }

    private static IEnumerable<string> CheckStorageQueue(string where, string? queue, PredictedDeployment deployment)
    {
        if (queue is null || !QueuesTheAppWritesTo.Contains(queue))
        {
            yield return $"{where}: listens on queue '{queue}', which the app does not write to ({string.Join(", ", QueuesTheAppWritesTo)})";
        }
        else if (deployment.Find("Microsoft.Storage/storageAccounts/queueServices/queues", queue) is null)
        {
            yield return $"{where}: storage queue '{queue}' is not created by infra/";
        }
    }

    private static IEnumerable<string> CheckServiceBusSource(string where, JsonObject binding, IReadOnlyDictionary<string, string> settings, PredictedDeployment deployment)
    {
        var queue = Resolve((string?)binding["queueName"], settings);
        var topic = Resolve((string?)binding["topicName"], settings);
        var subscription = Resolve((string?)binding["subscriptionName"], settings);
        if (queue is not null)
        {
            if (deployment.Find("Microsoft.ServiceBus/namespaces/queues", queue) is null)
            {
                yield return $"{where}: Service Bus queue '{queue}' is not created by infra/";
            }
        }
        else if (topic is null || subscription is null
                 || !deployment.OfType("Microsoft.ServiceBus/namespaces/topics/subscriptions")
                     .Any(s => ((string)s["name"]!).EndsWith($"/{topic}/{subscription}", StringComparison.Ordinal)))
        {
            yield return $"{where}: Service Bus subscription '{topic}/{subscription}' is not created by infra/";
        }
    }

    [GeneratedRegex("%([^%]+)%", RegexOptions.CultureInvariant)]
    private static partial Regex SettingReference();
}
