using System.Text.Json;

namespace VroegSignalering.Functions.Hosting;

/// <summary>
/// One invocation as the Functions host POSTs it to a custom handler at <c>/{FunctionName}</c>:
/// <c>{"Data": {binding: value}, "Metadata": {...}}</c>. Accessors decode the host's quirks.
/// </summary>
public sealed class InvocationRequest
{
    private readonly JsonElement _data;
    private readonly JsonElement _metadata;

    private InvocationRequest(string functionName, string invocationId, JsonElement data, JsonElement metadata)
    {
        FunctionName = functionName;
        InvocationId = invocationId;
        _data = data;
        _metadata = metadata;
    }

    public string FunctionName { get; }

    public string InvocationId { get; }

    /// <summary>Parses the host's request body. Absent Data or Metadata read as empty.</summary>
    public static InvocationRequest Parse(string functionName, string? invocationId, ReadOnlySpan<byte> body)
    {
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(body);
        }
        catch (JsonException ex)
        {
            throw new HostPayloadException($"the invocation body is not JSON: {ex.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new HostPayloadException("the invocation body is not a JSON object");
        }

        var data = GetObject(root, "Data");
        var metadata = GetObject(root, "Metadata");
        var sys = GetObject(metadata, "sys");
        var id = invocationId
            ?? (sys.ValueKind == JsonValueKind.Object && sys.TryGetProperty("RandGuid", out var g) ? HostValueDecoder.DecodeText(g) : null)
            ?? Guid.NewGuid().ToString("D");
        return new InvocationRequest(functionName, id, data, metadata);
    }

    /// <summary>The raw value of an input binding, or an Undefined element when absent.</summary>
    public JsonElement Binding(string name) => Find(_data, name);

    /// <summary>The raw metadata value, or an Undefined element when absent.</summary>
    public JsonElement Metadata(string name) => Find(_metadata, name);

    public bool HasBinding(string name) => Binding(name).ValueKind is not JsonValueKind.Undefined and not JsonValueKind.Null;

    /// <summary>A binding that carries a JSON document (queue and Service Bus message bodies).</summary>
    public string BindingJson(string name)
    {
        var value = Binding(name);
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            throw new HostPayloadException($"the invocation has no '{name}' binding");
        }

        return HostValueDecoder.DecodeJsonPayload(value);
    }

    public T BindingAs<T>(string name, JsonSerializerOptions options)
    {
        var json = BindingJson(name);
        try
        {
            return JsonSerializer.Deserialize<T>(json, options)
                ?? throw new HostPayloadException($"the '{name}' binding is null");
        }
        catch (JsonException ex)
        {
            throw new HostPayloadException($"the '{name}' binding does not match the expected shape: {ex.Message}");
        }
    }

    public string? MetadataText(string name) => HostValueDecoder.DecodeText(Metadata(name));

    public int? MetadataInt(string name) => HostValueDecoder.DecodeInt(Metadata(name));

    public DateTimeOffset? MetadataTimestamp(string name) => HostValueDecoder.DecodeTimestamp(Metadata(name));

    /// <summary>Queue trigger facts (names as the host sends them).</summary>
    public QueueMessageInfo QueueMessage() => new(
        MetadataText("Id"),
        MetadataInt("DequeueCount") ?? 1,
        MetadataTimestamp("InsertionTime"),
        MetadataTimestamp("ExpirationTime"),
        MetadataTimestamp("NextVisibleTime"));

    /// <summary>Service Bus trigger facts (names as the host sends them).</summary>
    public ServiceBusMessageInfo ServiceBusMessage()
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var source = Metadata("ApplicationProperties");
        if (source.ValueKind != JsonValueKind.Object)
        {
            source = Metadata("UserProperties");
        }

        if (source.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in source.EnumerateObject())
            {
                properties[p.Name] = HostValueDecoder.DecodeText(p.Value) ?? string.Empty;
            }
        }

        return new ServiceBusMessageInfo(
            MetadataText("MessageId"),
            MetadataText("CorrelationId"),
            MetadataText("ContentType"),
            MetadataInt("DeliveryCount") ?? 1,
            MetadataTimestamp("EnqueuedTimeUtc") ?? MetadataTimestamp("EnqueuedTime"),
            properties);
    }

    /// <summary>Timer trigger facts; the host sends the timer as an object or as JSON text.</summary>
    public TimerInfo Timer(string bindingName)
    {
        var value = Binding(bindingName);
        JsonElement timer = value;
        if (value.ValueKind == JsonValueKind.String)
        {
            timer = ParseElement(HostValueDecoder.DecodeJsonPayload(value));
        }

        if (timer.ValueKind != JsonValueKind.Object)
        {
            return new TimerInfo(false, null, null);
        }

        var status = Find(timer, "ScheduleStatus");
        return new TimerInfo(
            HostValueDecoder.DecodeBool(Find(timer, "IsPastDue")) ?? false,
            HostValueDecoder.DecodeTimestamp(Find(status, "Last")),
            HostValueDecoder.DecodeTimestamp(Find(status, "Next")));
    }

    /// <summary>An HTTP trigger delivered as an invocation (when not proxied).</summary>
    public HttpTriggerRequest Http(string bindingName)
    {
        var req = Binding(bindingName);
        if (req.ValueKind == JsonValueKind.String)
        {
            req = ParseElement(HostValueDecoder.DecodeJsonPayload(req));
        }

        if (req.ValueKind != JsonValueKind.Object)
        {
            throw new HostPayloadException($"the '{bindingName}' binding is not an HTTP request");
        }

        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        var h = Find(req, "Headers");
        if (h.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in h.EnumerateObject())
            {
                headers[p.Name] = p.Value.ValueKind == JsonValueKind.Array
                    ? p.Value.EnumerateArray().Select(v => HostValueDecoder.DecodeText(v) ?? string.Empty).ToArray()
                    : [HostValueDecoder.DecodeText(p.Value) ?? string.Empty];
            }
        }

        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var q = Find(req, "Query");
        if (q.ValueKind == JsonValueKind.String && HostValueDecoder.Unquote(q.GetString()!) is var qText && HostValueDecoder.LooksLikeJson(qText))
        {
            q = ParseElement(qText);
        }

        if (q.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in q.EnumerateObject())
            {
                query[p.Name] = HostValueDecoder.DecodeText(p.Value) ?? string.Empty;
            }
        }

        var body = Find(req, "Body");
        var bodyText = body.ValueKind is JsonValueKind.Object or JsonValueKind.Array
            ? body.GetRawText()
            : HostValueDecoder.DecodeText(body);
        return new HttpTriggerRequest(
            HostValueDecoder.DecodeText(Find(req, "Method")) ?? "GET",
            HostValueDecoder.DecodeText(Find(req, "Url")) ?? string.Empty,
            headers,
            query,
            bodyText);
    }

    private static JsonElement ParseElement(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    private static JsonElement GetObject(JsonElement parent, string name)
    {
        var value = Find(parent, name);
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = HostValueDecoder.Unquote(value.GetString()!);
            if (HostValueDecoder.LooksLikeJson(text))
            {
                return ParseElement(text);
            }
        }

        return value.ValueKind == JsonValueKind.Object ? value : default;
    }

    // The host's serializer is case-insensitive about these names in practice; match exactly first.
    private static JsonElement Find(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        if (parent.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var p in parent.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return default;
    }
}

public sealed record QueueMessageInfo(string? Id, int DequeueCount, DateTimeOffset? InsertionTime, DateTimeOffset? ExpirationTime, DateTimeOffset? NextVisibleTime);

public sealed record ServiceBusMessageInfo(string? MessageId, string? CorrelationId, string? ContentType, int DeliveryCount, DateTimeOffset? EnqueuedTime, IReadOnlyDictionary<string, string> ApplicationProperties);

public sealed record TimerInfo(bool IsPastDue, DateTimeOffset? Last, DateTimeOffset? Next);

public sealed record HttpTriggerRequest(string Method, string Url, IReadOnlyDictionary<string, string[]> Headers, IReadOnlyDictionary<string, string> Query, string? Body);
