using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using VroegSignalering.Azure.Messaging;

namespace VroegSignalering.Functions.Hosting.Standalone;

/// <summary>
/// Builds invocation payloads shaped like the Functions host's, quirks included (strings quoted once more
/// in Metadata, numbers as strings, top-level properties of a JSON body leaking into Metadata), so that
/// standalone runs exercise the same decoding as Azure does.
/// </summary>
public static class HostPayloads
{
    public static JsonObject Timer(string functionName, string binding, DateTimeOffset now, DateTimeOffset? last, DateTimeOffset next, bool isPastDue) => new()
    {
        ["Data"] = new JsonObject
        {
            [binding] = new JsonObject
            {
                ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                ["ScheduleStatus"] = new JsonObject
                {
                    ["Last"] = Timestamp(last ?? DateTimeOffset.MinValue),
                    ["Next"] = Timestamp(next),
                    ["LastUpdated"] = Timestamp(now),
                },
                ["IsPastDue"] = isPastDue,
            },
        },
        ["Metadata"] = new JsonObject { ["sys"] = Sys(functionName, now) },
    };

    public static JsonObject QueueMessage(
        string functionName, string binding, string messageText, string messageId, string popReceipt, long dequeueCount,
        DateTimeOffset? insertedOn, DateTimeOffset? expiresOn, DateTimeOffset? nextVisibleOn, DateTimeOffset now)
    {
        var metadata = new JsonObject();
        LeakBodyProperties(metadata, messageText);
        metadata["DequeueCount"] = dequeueCount.ToString(CultureInfo.InvariantCulture);
        metadata["ExpirationTime"] = Timestamp(expiresOn);
        metadata["Id"] = Quote(messageId);
        metadata["InsertionTime"] = Timestamp(insertedOn);
        metadata["NextVisibleTime"] = Timestamp(nextVisibleOn);
        metadata["PopReceipt"] = Quote(popReceipt);
        metadata["sys"] = Sys(functionName, now);
        return new JsonObject
        {
            ["Data"] = new JsonObject { [binding] = messageText },
            ["Metadata"] = metadata,
        };
    }

    public static JsonObject ServiceBusMessage(
        string functionName, string binding, LocalServiceBusMessage message, long deliveryCount, long sequenceNumber, DateTimeOffset? enqueuedOn, DateTimeOffset now)
    {
        var metadata = new JsonObject();
        LeakBodyProperties(metadata, message.Body);
        var properties = new JsonObject();
        foreach (var (key, value) in message.ApplicationProperties)
        {
            properties[key] = value;
        }

        metadata["DeliveryCount"] = deliveryCount.ToString(CultureInfo.InvariantCulture);
        metadata["MessageId"] = Quote(message.MessageId);
        metadata["ContentType"] = Quote(message.ContentType ?? "application/json");
        if (message.CorrelationId is not null)
        {
            metadata["CorrelationId"] = Quote(message.CorrelationId);
        }

        if (message.SessionId is not null)
        {
            metadata["SessionId"] = Quote(message.SessionId);
        }

        metadata["SequenceNumber"] = sequenceNumber.ToString(CultureInfo.InvariantCulture);
        metadata["EnqueuedTimeUtc"] = (enqueuedOn ?? now).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        metadata["ApplicationProperties"] = properties;
        metadata["UserProperties"] = properties.DeepClone();
        metadata["sys"] = Sys(functionName, now);
        return new JsonObject
        {
            ["Data"] = new JsonObject { [binding] = message.Body },
            ["Metadata"] = metadata,
        };
    }

    private static JsonObject Sys(string functionName, DateTimeOffset now) => new()
    {
        ["MethodName"] = functionName,
        ["UtcNow"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        ["RandGuid"] = Guid.NewGuid().ToString("D"),
    };

    // The host binds top-level properties of a JSON message as trigger metadata: strings quoted once
    // more, numbers and booleans as strings, nested values as they are.
    private static void LeakBodyProperties(JsonObject metadata, string body)
    {
        if (!HostValueDecoder.LooksLikeJson(body))
        {
            return;
        }

        if (JsonNode.Parse(body) is not JsonObject obj)
        {
            return;
        }

        foreach (var (key, value) in obj)
        {
            metadata[key] = value switch
            {
                null => null,
                JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
                JsonValue v => v.ToJsonString(),
                _ => value.DeepClone(),
            };
        }
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    private static string Timestamp(DateTimeOffset? value) =>
        (value ?? DateTimeOffset.MinValue).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
}
