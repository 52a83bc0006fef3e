using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.ServiceBus;

// One message serialized as an element of a batch body: its place in the input and its bytes.
internal readonly record struct EncodedMessage(int Index, string MessageId, ReadOnlyMemory<byte> Json)
{
    // Size of a request body holding only this message: the element plus the array brackets.
    public int AloneBytes => Json.Length + 2;
}

// Writes messages in the JSON shape of the Send Message Batch REST call
// (learn.microsoft.com/rest/api/servicebus/send-message-batch): an array of
// {"Body", "BrokerProperties", "UserProperties"}. Sizes are measured on the exact bytes sent.
internal static class ServiceBusMessageEncoder
{
    public const string ContentType = "application/vnd.microsoft.servicebus.json";

    // Relaxed escaping keeps non-ASCII text (Dutch names, diacritics) at its UTF-8 size instead of \uXXXX;
    // the body is JSON for a broker, never embedded in HTML, so the HTML-safety escaping buys nothing.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // One buffer for the whole publish: no per-message arrays, and batch bodies are plain copies of slices.
    public static EncodedMessage[] Encode(IReadOnlyList<OutboundMessage> messages)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, messages.Count * 512));
        var spans = new (int Start, int Length)[messages.Count];
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var start = buffer.WrittenCount;
                Write(writer, messages[i]);
                writer.Flush();
                writer.Reset();
                spans[i] = (start, buffer.WrittenCount - start);
            }
        }

        var memory = buffer.WrittenMemory;
        var encoded = new EncodedMessage[messages.Count];
        for (var i = 0; i < encoded.Length; i++)
        {
            encoded[i] = new EncodedMessage(i, messages[i].MessageId, memory.Slice(spans[i].Start, spans[i].Length));
        }

        return encoded;
    }

    public static int BodyBytes(ReadOnlySpan<EncodedMessage> batch)
    {
        var total = 2 + Math.Max(0, batch.Length - 1);
        foreach (var message in batch)
        {
            total += message.Json.Length;
        }

        return total;
    }

    public static int WriteBody(ReadOnlySpan<EncodedMessage> batch, Span<byte> destination)
    {
        var at = 0;
        destination[at++] = (byte)'[';
        for (var i = 0; i < batch.Length; i++)
        {
            if (i > 0)
            {
                destination[at++] = (byte)',';
            }

            batch[i].Json.Span.CopyTo(destination[at..]);
            at += batch[i].Json.Length;
        }

        destination[at++] = (byte)']';
        return at;
    }

    private static void Write(Utf8JsonWriter writer, OutboundMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("Body", message.Body);
        writer.WriteStartObject("BrokerProperties");
        writer.WriteString("MessageId", message.MessageId);
        writer.WriteString("Label", message.Subject);
        if (message.CorrelationId is not null)
        {
            writer.WriteString("CorrelationId", message.CorrelationId);
        }

        if (message.SessionId is not null)
        {
            writer.WriteString("SessionId", message.SessionId);
        }

        if (message.TimeToLive is { } ttl)
        {
            // The REST API takes TimeToLive in seconds as a JSON number.
            writer.WriteNumber("TimeToLive", Math.Round(ttl.TotalSeconds, 3));
        }

        writer.WriteString("ContentType", message.ContentType);
        writer.WriteEndObject();
        if (message.ApplicationProperties.Count > 0)
        {
            writer.WriteStartObject("UserProperties");
            foreach (var (name, value) in message.ApplicationProperties)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
