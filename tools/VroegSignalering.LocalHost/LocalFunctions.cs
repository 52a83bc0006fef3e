using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.LocalHost;

/// <summary>
/// The app's functions bound for in-process calls, and a listener per queue and timer trigger with every
/// <c>%Setting%</c> resolved from configuration, as the Functions host resolves it from app settings.
/// Built once at start: a function this host cannot bind, or a missing setting, stops the start.
/// </summary>
public sealed class LocalFunctions
{
    private readonly Dictionary<string, BoundFunction> _functions;

    public LocalFunctions(IConfiguration configuration, IOptions<LocalHostOptions> options, IServiceScopeFactory scopes, TimeProvider time, ILoggerFactory loggers)
    {
        var settings = options.Value;
        Catalog = FunctionCatalog.Load(AppContext.BaseDirectory);
        _functions = Catalog.Functions.ToDictionary(f => f.Name, f => new BoundFunction(f, loggers.CreateLogger("Function." + f.Name)), StringComparer.OrdinalIgnoreCase);
        var timers = new List<TimerTriggerListener>();
        var queues = new List<QueueTriggerListener>();
        foreach (var function in _functions.Values.Where(f => !DisabledBySetting(configuration, f.Name)))
        {
            var trigger = function.Function.Trigger;
            var logger = loggers.CreateLogger("VroegSignalering.LocalHost." + function.Name);
            string Resolve(string property) => FunctionCatalog.ResolveSettings(
                trigger.Text(property) ?? throw new InvalidDataException($"{function.Name}: its {trigger.Type} has no '{property}'"), key => configuration[key]);
            if (trigger.Is("timerTrigger"))
            {
                timers.Add(new TimerTriggerListener(function, Resolve("schedule"), trigger.Flag("runOnStartup"), scopes, time));
            }
            else if (trigger.Is("queueTrigger"))
            {
                // Raw clients: the listener decodes bodies itself, per host.json messageEncoding, as the host does.
                var clients = StorageClients.FromConfiguration(configuration, trigger.Text("connection") is { Length: > 0 } c ? c : StorageClients.DefaultConnectionName);
                var queue = Resolve("queueName");
                queues.Add(new QueueTriggerListener(function, clients.RawQueues.GetQueueClient(queue), clients.RawQueues.GetQueueClient(queue + "-poison"), Catalog.Host.Queues, scopes, time, settings, logger));
            }
            else if (!trigger.Is("httpTrigger"))
            {
                throw new NotSupportedException($"{function.Name}: the local host runs http, queue and timer triggers, not {trigger.Type}");
            }
        }

        Timers = timers;
        Queues = queues;
    }

    public FunctionCatalog Catalog { get; }

    public IReadOnlyList<TimerTriggerListener> Timers { get; }

    public IReadOnlyList<QueueTriggerListener> Queues { get; }

    public IEnumerable<BoundFunction> Http => _functions.Values.Where(f => f.Function.Trigger.Is("httpTrigger"));

    public BoundFunction this[string name] => _functions[name];

    public QueueTriggerListener Queue(string functionName) =>
        Queues.FirstOrDefault(q => q.FunctionName == functionName) ?? throw new KeyNotFoundException($"no queue listener for '{functionName}' (disabled, or not a queue trigger)");

    public TimerTriggerListener Timer(string functionName) =>
        Timers.FirstOrDefault(t => t.FunctionName == functionName) ?? throw new KeyNotFoundException($"no timer for '{functionName}' (disabled, or not a timer trigger)");

    // The host's own switch: AzureWebJobs.<FunctionName>.Disabled (or AzureWebJobs__<FunctionName>__Disabled) = true.
    private static bool DisabledBySetting(IConfiguration configuration, string name) =>
        bool.TryParse(configuration[$"AzureWebJobs.{name}.Disabled"] ?? configuration[$"AzureWebJobs:{name}:Disabled"], out var disabled) && disabled;
}


/// <summary>A function's trigger as functions.metadata declares it, <c>%Setting%</c> names still in place.</summary>
public sealed record TriggerBinding(string Type, string Name, JsonElement Json)
{
    public string? Text(string property) => Json.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public IReadOnlyList<string> TextList(string property) =>
        Json.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];

    public bool Flag(string property) => Json.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.True;

    public bool Is(string type) => Type.Equals(type, StringComparison.OrdinalIgnoreCase);
}

/// <summary>One function: its name, the method the worker would call (entryPoint) and its trigger.</summary>
public sealed record LocalFunction(string Name, MethodInfo Method, TriggerBinding Trigger);

/// <summary>host.json <c>extensions.queues</c>, with the Functions defaults where a value is absent.</summary>
public sealed record QueueTriggerSettings(int BatchSize, int NewBatchThreshold, int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval, string MessageEncoding);

public sealed record HostSettings(string RoutePrefix, QueueTriggerSettings Queues);

/// <summary>The app as the Functions host sees it: functions.metadata (written by the Worker SDK) and host.json.</summary>
public sealed partial record FunctionCatalog(HostSettings Host, IReadOnlyList<LocalFunction> Functions)
{
    public const string MetadataFile = "functions.metadata";

    public static FunctionCatalog Load(string appRoot)
    {
        var metadata = Path.Combine(appRoot, MetadataFile);
        if (!File.Exists(metadata))
        {
            throw new FileNotFoundException($"{metadata} is missing: build the app (dotnet build) so the Worker SDK writes it", metadata);
        }

        var host = Path.Combine(appRoot, "host.json");
        return new FunctionCatalog(ParseHost(File.Exists(host) ? File.ReadAllText(host) : "{}"), ParseFunctions(File.ReadAllText(metadata)));
    }

    public static IReadOnlyList<LocalFunction> ParseFunctions(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(f =>
        {
            var name = f.GetProperty("name").GetString()!;
            var triggers = f.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)).ToList();
            if (triggers.Count != 1)
            {
                throw new InvalidDataException($"{MetadataFile}: function {name} has {triggers.Count} triggers, expected one");
            }

            var trigger = new TriggerBinding(triggers[0].GetProperty("type").GetString()!, triggers[0].GetProperty("name").GetString()!, triggers[0].Clone());
            return new LocalFunction(name, EntryPoint(name, f.GetProperty("scriptFile").GetString()!, f.GetProperty("entryPoint").GetString()!), trigger);
        }).ToList();
    }

    public static HostSettings ParseHost(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var extensions = Get(doc.RootElement, "extensions");
        var q = Get(extensions, "queues");
        int? Int(string name) => Get(q, name) is { ValueKind: JsonValueKind.Number } v ? v.GetInt32() : null;
        TimeSpan? Span(string name) => Get(q, name) is { ValueKind: JsonValueKind.String } v ? TimeSpan.Parse(v.GetString()!, CultureInfo.InvariantCulture) : null;
        return new HostSettings(
            Get(Get(extensions, "http"), "routePrefix") is { ValueKind: JsonValueKind.String } prefix ? prefix.GetString()! : "api",
            new QueueTriggerSettings(Int("batchSize") ?? 16, Int("newBatchThreshold") ?? 8, Int("maxDequeueCount") ?? 5, Span("visibilityTimeout") ?? TimeSpan.Zero,
                Span("maxPollingInterval") ?? TimeSpan.FromMinutes(1), Get(q, "messageEncoding") is { ValueKind: JsonValueKind.String } e ? e.GetString()! : "base64"));
    }

    /// <summary>Resolves <c>%Setting%</c> references as the host does (the whole value or parts of it); a missing or empty setting is an error that names it.</summary>
    public static string ResolveSettings(string value, Func<string, string?> lookup) =>
        SettingReference().Replace(value, m => lookup(m.Groups[1].Value) is { Length: > 0 } setting
            ? setting
            : throw new InvalidOperationException($"the app setting '{m.Groups[1].Value}' referenced as %{m.Groups[1].Value}% is not configured"));

    // entryPoint is "Namespace.Class.Method" in the assembly scriptFile names.
    private static MethodInfo EntryPoint(string function, string scriptFile, string entryPoint)
    {
        var dot = entryPoint.LastIndexOf('.');
        var type = dot > 0 ? Assembly.Load(new AssemblyName(Path.GetFileNameWithoutExtension(scriptFile))).GetType(entryPoint[..dot]) : null;
        var methods = type?.GetMethods().Where(m => m.Name == entryPoint[(dot + 1)..]).ToList() ?? [];
        return methods.Count == 1 ? methods[0] : throw new InvalidDataException($"{MetadataFile}: function {function} names {entryPoint} in {scriptFile}, which {(methods.Count == 0 ? "does not exist" : "is overloaded")}");
    }

    private static JsonElement Get(JsonElement parent, string name) => parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) ? v : default;

    [GeneratedRegex("%([A-Za-z0-9_:.-]+)%")]
    private static partial Regex SettingReference();
}
