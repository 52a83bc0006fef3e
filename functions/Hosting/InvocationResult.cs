using System.Text.Json;
using System.Text.Json.Nodes;

namespace VroegSignalering.Functions.Hosting;

/// <summary>
/// What a function returns to the host: <c>{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}</c>.
/// The host base64-decodes non-binary output values that look like base64, which would corrupt a bare
/// string; every output and the return value therefore travel as JSON objects or arrays.
/// </summary>
public sealed class InvocationResult
{
    private readonly Dictionary<string, JsonNode> _outputs = new(StringComparer.Ordinal);
    private readonly List<string> _logs = [];

    private InvocationResult(int statusCode) => StatusCode = statusCode;

    /// <summary>HTTP status of the reply to the host. Anything but 2xx fails the invocation.</summary>
    public int StatusCode { get; }

    public IReadOnlyDictionary<string, JsonNode> Outputs => _outputs;

    public IReadOnlyList<string> Logs => _logs;

    public JsonNode? ReturnValue { get; private set; }

    public bool Succeeded => StatusCode is >= 200 and < 300;

    public static InvocationResult Success() => new(200);

    /// <summary>The invocation failed for good for this attempt; the host retries or poisons the message.</summary>
    public static InvocationResult Failure(string reason) => new InvocationResult(500).WithLog(reason);

    /// <summary>A transient condition (storage throttled, dependency down): the host should retry later.</summary>
    public static InvocationResult RetryLater(string reason) => new InvocationResult(503).WithLog(reason);

    /// <summary>Sets an output binding; the value is serialized as JSON and never sent as a bare string.</summary>
    public InvocationResult WithOutput(string binding, object? value, JsonSerializerOptions options)
    {
        _outputs[binding] = ToSafeNode(value, options);
        return this;
    }

    public InvocationResult WithReturnValue(object? value, JsonSerializerOptions options)
    {
        ReturnValue = value is null ? null : ToSafeNode(value, options);
        return this;
    }

    /// <summary>A line for the host's log. Never put personal data here.</summary>
    public InvocationResult WithLog(string line)
    {
        _logs.Add(line);
        return this;
    }

    public byte[] ToJsonBytes()
    {
        var outputs = new JsonObject();
        foreach (var (name, node) in _outputs)
        {
            outputs[name] = node.DeepClone();
        }

        var logs = new JsonArray();
        foreach (var line in _logs)
        {
            logs.Add(line);
        }

        var root = new JsonObject
        {
            ["Outputs"] = outputs,
            ["Logs"] = logs,
            ["ReturnValue"] = ReturnValue?.DeepClone(),
        };
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    // A string holding JSON goes as that JSON; any other scalar is wrapped in {"value": ...} so that
    // the host's "looks like base64" conversion never sees a bare string.
    internal static JsonNode ToSafeNode(object? value, JsonSerializerOptions options)
    {
        if (value is string text)
        {
            return HostValueDecoder.LooksLikeJson(text)
                ? JsonNode.Parse(text)!
                : new JsonObject { ["value"] = text };
        }

        var node = JsonSerializer.SerializeToNode(value, options);
        return node switch
        {
            JsonObject or JsonArray => node,
            _ => new JsonObject { ["value"] = node },
        };
    }
}
