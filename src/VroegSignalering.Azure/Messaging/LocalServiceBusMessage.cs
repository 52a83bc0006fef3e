using System.Text.Json;
using System.Text.Json.Serialization;

namespace VroegSignalering.Azure.Messaging;

/// <summary>
/// The envelope that stands in for a Service Bus message on the local topic (a table, see LocalTopic): the same broker and
/// application properties a topic subscription would see, with the body as text.
/// </summary>
public sealed record LocalServiceBusMessage
{
    [JsonPropertyName("messageId")]
    public required string MessageId { get; init; }

    [JsonPropertyName("subject")]
    public string? Subject { get; init; }

    [JsonPropertyName("correlationId")]
    public string? CorrelationId { get; init; }

    [JsonPropertyName("sessionId")]
    public string? SessionId { get; init; }

    [JsonPropertyName("contentType")]
    public string? ContentType { get; init; }

    [JsonPropertyName("timeToLive")]
    public TimeSpan? TimeToLive { get; init; }

    [JsonPropertyName("enqueuedTime")]
    public DateTimeOffset? EnqueuedTime { get; init; }

    [JsonPropertyName("applicationProperties")]
    public Dictionary<string, string> ApplicationProperties { get; init; } = new(StringComparer.Ordinal);

    [JsonPropertyName("body")]
    public required string Body { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads an envelope; a message that is not one becomes a bare body with the queue message id.</summary>
    public static LocalServiceBusMessage Parse(string text, string fallbackMessageId)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<LocalServiceBusMessage>(text);
            if (envelope is { MessageId.Length: > 0 } && envelope.Body is not null)
            {
                return envelope;
            }
        }
        catch (JsonException)
        {
        }

        return new LocalServiceBusMessage { MessageId = fallbackMessageId, Body = text };
    }
}
