using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VroegSignalering.LocalHost;

/// <summary>A function's trigger as functions.metadata declares it, with <c>%Setting%</c> names still in place.</summary>
public sealed record TriggerBinding(string Type, string Name, IReadOnlyDictionary<string, JsonElement> Properties)
{
    public string? Text(string property) =>
        Properties.TryGetValue(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public IReadOnlyList<string> TextList(string property) =>
        Properties.TryGetValue(property, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
            : [];

    public bool Flag(string property) =>
        Properties.TryGetValue(property, out var v) && (v.ValueKind == JsonValueKind.True || (v.ValueKind == JsonValueKind.String && bool.TryParse(v.GetString(), out var b) && b));

    public bool Is(string type) => Type.Equals(type, StringComparison.OrdinalIgnoreCase);
}

/// <summary>One function: its name, the method the worker would call (entryPoint) and its trigger.</summary>
public sealed record LocalFunction(string Name, MethodInfo Method, TriggerBinding Trigger);

/// <summary>host.json <c>extensions.queues</c>, with the Functions defaults where a value is absent.</summary>
public sealed record QueueTriggerSettings(
    int BatchSize,
    int NewBatchThreshold,
    int MaxDequeueCount,
    TimeSpan VisibilityTimeout,
    TimeSpan MaxPollingInterval,
    string MessageEncoding);

/// <summary>The parts of host.json the local host uses.</summary>
public sealed record HostSettings(string RoutePrefix, QueueTriggerSettings Queues);

/// <summary>
/// The app as the Functions host sees it: functions.metadata (written by the Worker SDK at build time,
/// the file the host reads in Azure) and host.json, from the app folder.
/// </summary>
public sealed partial class FunctionCatalog
{
    public const string MetadataFile = "functions.metadata";

    private FunctionCatalog(HostSettings host, IReadOnlyList<LocalFunction> functions)
    {
        Host = host;
        Functions = functions;
    }

    public HostSettings Host { get; }

    public IReadOnlyList<LocalFunction> Functions { get; }

    public LocalFunction this[string name] => Functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"no function named '{name}' in {MetadataFile}");

    public static FunctionCatalog Load(string appRoot)
    {
        var metadata = Path.Combine(appRoot, MetadataFile);
        if (!File.Exists(metadata))
        {
            throw new FileNotFoundException($"{metadata} is missing: build the app (dotnet build) so the Worker SDK writes it", metadata);
        }

        var hostFile = Path.Combine(appRoot, "host.json");
        var host = ParseHost(File.Exists(hostFile) ? File.ReadAllText(hostFile) : "{}");
        return new FunctionCatalog(host, ParseFunctions(File.ReadAllText(metadata)));
    }

    public static IReadOnlyList<LocalFunction> ParseFunctions(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var functions = new List<LocalFunction>();
        foreach (var f in doc.RootElement.EnumerateArray())
        {
            var name = f.GetProperty("name").GetString()!;
            var triggers = f.GetProperty("bindings").EnumerateArray()
                .Where(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
                .Select(b => new TriggerBinding(
                    b.GetProperty("type").GetString()!,
                    b.GetProperty("name").GetString()!,
                    b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.OrdinalIgnoreCase)))
                .ToList();
            if (triggers.Count != 1)
            {
                throw new InvalidDataException($"{MetadataFile}: function {name} has {triggers.Count} triggers, expected one");
            }

            var method = ResolveEntryPoint(name, f.GetProperty("scriptFile").GetString()!, f.GetProperty("entryPoint").GetString()!);
            functions.Add(new LocalFunction(name, method, triggers[0]));
        }

        return functions;
    }

    public static HostSettings ParseHost(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var extensions = Get(doc.RootElement, "extensions");
        var queues = Get(extensions, "queues");
        return new HostSettings(
            Str(Get(extensions, "http"), "routePrefix") ?? "api",
            new QueueTriggerSettings(
                Int(queues, "batchSize") ?? 16,
                Int(queues, "newBatchThreshold") ?? 8,
                Int(queues, "maxDequeueCount") ?? 5,
                Span(queues, "visibilityTimeout") ?? TimeSpan.Zero,
                Span(queues, "maxPollingInterval") ?? TimeSpan.FromMinutes(1),
                Str(queues, "messageEncoding") ?? "base64"));
    }

    /// <summary>Resolves <c>%Setting%</c> references the way the host does (the whole value or parts of it).</summary>
    public static string ResolveSettings(string value, Func<string, string?> lookup) =>
        SettingReference().Replace(value, m => lookup(m.Groups[1].Value) is { Length: > 0 } setting
            ? setting
            : throw new InvalidOperationException($"the app setting '{m.Groups[1].Value}' referenced as %{m.Groups[1].Value}% is not configured"));

    // entryPoint is "Namespace.Class.Method" in the assembly scriptFile names.
    private static MethodInfo ResolveEntryPoint(string function, string scriptFile, string entryPoint)
    {
        var dot = entryPoint.LastIndexOf('.');
        var assembly = Assembly.Load(new AssemblyName(Path.GetFileNameWithoutExtension(scriptFile)));
        var type = dot > 0 ? assembly.GetType(entryPoint[..dot]) : null;
        var methods = type?.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Where(m => m.Name == entryPoint[(dot + 1)..]).ToList() ?? [];
        return methods.Count == 1
            ? methods[0]
            : throw new InvalidDataException($"{MetadataFile}: function {function} names entry point {entryPoint} in {scriptFile}, which {(methods.Count == 0 ? "does not exist" : "is overloaded")}");
    }

    [GeneratedRegex("%([A-Za-z0-9_:.-]+)%")]
    private static partial Regex SettingReference();

    private static JsonElement Get(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) ? v : default;

    private static string? Str(JsonElement parent, string name) =>
        Get(parent, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    private static int? Int(JsonElement parent, string name) =>
        Get(parent, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var n) ? n : null;

    private static TimeSpan? Span(JsonElement parent, string name) =>
        Str(parent, name) is { } s && TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var t) ? t : null;
}
