using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VroegSignalering.Functions.Hosting;

/// <summary>
/// Decodes values as the Functions host hands them to a custom handler. The host JSON-encodes string
/// values once more in some paths ("\"abc\""), sends numbers as strings ("1"), byte[] as base64, and
/// a queue message written with base64 encoding may still arrive as base64. Decoding is defensive:
/// unquote up to twice, then try base64, then take the raw text.
/// </summary>
public static class HostValueDecoder
{
    private const int MaxUnquoteDepth = 2;

    /// <summary>Text of a value: an object or array yields its JSON text; a string is unquoted.</summary>
    public static string? DecodeText(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return Unquote(value.GetString()!);
            case JsonValueKind.Object:
            case JsonValueKind.Array:
                return value.GetRawText();
            default:
                return value.GetRawText();
        }
    }

    /// <summary>
    /// JSON payload of a value that is expected to hold JSON (a queue or Service Bus message body):
    /// accepts a JSON object, a string holding JSON, the same quoted once more, or base64 of it.
    /// </summary>
    public static string DecodeJsonPayload(JsonElement value)
    {
        var text = DecodeText(value) ?? throw new HostPayloadException("the payload is empty");
        if (LooksLikeJson(text))
        {
            return text;
        }

        if (TryDecodeBase64Utf8(text, out var decoded))
        {
            var inner = Unquote(decoded);
            if (LooksLikeJson(inner))
            {
                return inner;
            }
        }

        throw new HostPayloadException("the payload is neither JSON, JSON quoted as a string, nor base64-encoded JSON");
    }

    /// <summary>Removes up to two layers of JSON string quoting ("\"abc\"" → "abc").</summary>
    public static string Unquote(string text)
    {
        for (var i = 0; i < MaxUnquoteDepth; i++)
        {
            var trimmed = text.Trim();
            if (trimmed.Length < 2 || trimmed[0] != '"' || trimmed[^1] != '"')
            {
                break;
            }

            try
            {
                text = JsonSerializer.Deserialize<string>(trimmed) ?? text;
            }
            catch (JsonException)
            {
                break;
            }
        }

        return text;
    }

    /// <summary>An integer sent as a JSON number or as a (quoted) string.</summary>
    public static int? DecodeInt(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt32(out var n) => n,
        JsonValueKind.String when int.TryParse(Unquote(value.GetString()!), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    /// <summary>A boolean sent as a JSON boolean or as a (quoted) string.</summary>
    public static bool? DecodeBool(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String when bool.TryParse(Unquote(value.GetString()!), out var b) => b,
        _ => null,
    };

    /// <summary>A timestamp sent as an ISO 8601 (quoted) string.</summary>
    public static DateTimeOffset? DecodeTimestamp(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = Unquote(value.GetString()!);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var ts)
            ? ts
            : null;
    }

    internal static bool LooksLikeJson(string text)
    {
        var span = text.AsSpan().Trim();
        if (span.Length < 2)
        {
            return false;
        }

        var (first, last) = (span[0], span[^1]);
        if (!((first == '{' && last == '}') || (first == '[' && last == ']')))
        {
            return false;
        }

        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryDecodeBase64Utf8(string text, out string decoded)
    {
        decoded = string.Empty;
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.Length % 4 != 0)
        {
            return false;
        }

        var buffer = new byte[trimmed.Length / 4 * 3];
        if (!Convert.TryFromBase64String(trimmed, buffer, out var written))
        {
            return false;
        }

        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, written);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}

/// <summary>The host sent something the handler cannot read; the invocation fails (non-2xx).</summary>
public sealed class HostPayloadException(string message) : Exception(message);
