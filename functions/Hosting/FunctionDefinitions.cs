using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VroegSignalering.Functions.Hosting;

/// <summary>One binding of a function.json, with the properties every binding has and the rest by name.</summary>
public sealed record BindingDefinition(string Type, string Direction, string Name, IReadOnlyDictionary<string, JsonElement> Properties)
{
    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    public string? Text(string property) =>
        Properties.TryGetValue(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public IReadOnlyList<string> TextList(string property) =>
        Properties.TryGetValue(property, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
            : [];

    public bool Flag(string property) =>
        Properties.TryGetValue(property, out var v) && v.ValueKind == JsonValueKind.True;
}

/// <summary>A function as declared by <c>&lt;Name&gt;/function.json</c>.</summary>
public sealed record FunctionDefinition(string Name, bool Disabled, IReadOnlyList<BindingDefinition> Bindings)
{
    public BindingDefinition Trigger => Bindings.Single(b => b.IsTrigger && b.Direction.Equals("in", StringComparison.OrdinalIgnoreCase));

    public bool IsHttp => Trigger.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The parts of host.json the handler and the standalone runner use.</summary>
public sealed record HostDefinition(
    string RoutePrefix,
    QueueTriggerSettings Queues,
    string? HandlerExecutable,
    IReadOnlyList<string> HandlerArguments,
    bool ForwardsHttpRequests);

/// <summary>host.json <c>extensions.queues</c>, with the Functions defaults where a value is absent.</summary>
public sealed record QueueTriggerSettings(
    int BatchSize,
    int NewBatchThreshold,
    int MaxDequeueCount,
    TimeSpan VisibilityTimeout,
    TimeSpan MaxPollingInterval,
    string MessageEncoding);

/// <summary>Reads host.json and every <c>*/function.json</c> from an app folder (the build or publish output).</summary>
public static partial class FunctionDefinitions
{
    public static IReadOnlyList<FunctionDefinition> Load(string appRoot)
    {
        var list = new List<FunctionDefinition>();
        foreach (var dir in Directory.EnumerateDirectories(appRoot).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(dir, "function.json");
            if (File.Exists(file))
            {
                list.Add(ParseFunction(Path.GetFileName(dir), File.ReadAllText(file)));
            }
        }

        return list;
    }

    public static FunctionDefinition ParseFunction(string name, string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = doc.RootElement;
        if (!root.TryGetProperty("bindings", out var bindingsElement) || bindingsElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{name}/function.json has no 'bindings' array");
        }

        var bindings = new List<BindingDefinition>();
        foreach (var b in bindingsElement.EnumerateArray())
        {
            var props = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.OrdinalIgnoreCase);
            string Required(string key) => props.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()!
                : throw new InvalidDataException($"{name}/function.json: a binding lacks '{key}'");
            bindings.Add(new BindingDefinition(Required("type"), Required("direction"), Required("name"), props));
        }

        var triggers = bindings.Count(b => b.IsTrigger);
        if (triggers != 1)
        {
            throw new InvalidDataException($"{name}/function.json must have exactly one trigger binding, found {triggers}");
        }

        var disabled = root.TryGetProperty("disabled", out var d) && d.ValueKind == JsonValueKind.True;
        return new FunctionDefinition(name, disabled, bindings);
    }

    public static HostDefinition LoadHost(string appRoot) => ParseHost(File.ReadAllText(Path.Combine(appRoot, "host.json")));

    public static HostDefinition ParseHost(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = doc.RootElement;
        var extensions = Get(root, "extensions");
        var http = Get(extensions, "http");
        var queues = Get(extensions, "queues");
        var handler = Get(root, "customHandler");
        var description = Get(handler, "description");

        var settings = new QueueTriggerSettings(
            Int(queues, "batchSize") ?? 16,
            Int(queues, "newBatchThreshold") ?? 8,
            Int(queues, "maxDequeueCount") ?? 5,
            Span(queues, "visibilityTimeout") ?? TimeSpan.Zero,
            Span(queues, "maxPollingInterval") ?? TimeSpan.FromMinutes(1),
            Str(queues, "messageEncoding") ?? "base64");
        return new HostDefinition(
            Str(http, "routePrefix") ?? "api",
            settings,
            Str(description, "defaultExecutablePath"),
            description.ValueKind == JsonValueKind.Object && description.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.Array
                ? args.EnumerateArray().Select(a => a.GetString() ?? string.Empty).ToArray()
                : [],
            handler.ValueKind == JsonValueKind.Object && handler.TryGetProperty("enableForwardingHttpRequest", out var f) && f.ValueKind == JsonValueKind.True);
    }

    /// <summary>Resolves <c>%Setting%</c> references the way the host does (the whole value or parts of it).</summary>
    public static string ResolveSettings(string value, Func<string, string?> lookup) =>
        SettingReference().Replace(value, m => lookup(m.Groups[1].Value)
            ?? throw new InvalidOperationException($"the app setting '{m.Groups[1].Value}' referenced as %{m.Groups[1].Value}% is not configured"));

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
