using System.Text.Json;
using System.Text.Json.Serialization;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;

namespace VroegSignalering.Azure.Queues;

/// <summary>
/// The signals-intake message: routing facts in the clear (receipt, chunk, creditor, trace context),
/// the signals themselves encrypted, so personal data is protected from the first byte at rest. With
/// <see cref="Encoding"/> "gzip" the signals were compressed before encryption (a quarter of the size, so each
/// queue request carries less); without it (messages written before) they were not.
/// </summary>
public sealed record SignalChunkMessage(
    [property: JsonPropertyName("receiptId")] string ReceiptId,
    [property: JsonPropertyName("chunk")] int Chunk,
    [property: JsonPropertyName("creditorId")] string CreditorId,
    [property: JsonPropertyName("receivedAt")] DateTimeOffset ReceivedAt,
    [property: JsonPropertyName("traceparent")] string? TraceParent,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("payload")] byte[] Payload,
    [property: JsonPropertyName("encoding")] string? Encoding = null);

/// <summary>The dispatch message: which outbox rows to send. No personal data.</summary>
public sealed record DispatchMessage([property: JsonPropertyName("tasks")] IReadOnlyList<DispatchPointer> Tasks);

public sealed record DispatchPointer(
    [property: JsonPropertyName("householdKey")] string HouseholdKey,
    [property: JsonPropertyName("taskId")] string TaskId,
    [property: JsonPropertyName("gemeentecode")] string Gemeentecode,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt);

[JsonSerializable(typeof(SignalChunkMessage))]
[JsonSerializable(typeof(DispatchMessage))]
public sealed partial class QueueJson : JsonSerializerContext;

/// <summary>Encodes and decodes queue messages; decoding failures are permanent (the message goes to poison).</summary>
public sealed class QueueMessageCodec(IPersonalDataProtector protector)
{
    /// <summary>Storage queues take 64 KiB per message; base64 adds a third.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    public string EncodeChunk(SignalChunk chunk)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(chunk.Signals.ToList(), CoreJson.Default.ListQueuedSignal);

        // Compressed, then encrypted: the chunk's size limit (IntakeLimits) holds for the uncompressed form, so a chunk
        // that does not compress still fits; compression only makes the usual message smaller.
        var protectedPayload = protector.Protect(Gzip.Compress(plaintext), ProtectionContexts.Chunk(chunk.ReceiptId, chunk.Chunk));
        var message = JsonSerializer.Serialize(
            new SignalChunkMessage(chunk.ReceiptId, chunk.Chunk, chunk.CreditorId, chunk.ReceivedAt, chunk.TraceParent, protectedPayload.KeyId, protectedPayload.Data, Gzip.Name),
            QueueJson.Default.SignalChunkMessage);
        var encodedSize = (System.Text.Encoding.UTF8.GetByteCount(message) + 2) / 3 * 4;
        if (encodedSize > MaxMessageBytes)
        {
            throw new InvalidOperationException($"chunk {chunk.Chunk} of {chunk.ReceiptId} encodes to {encodedSize} bytes, over the queue's {MaxMessageBytes}");
        }

        return message;
    }

    public SignalChunk DecodeChunk(string json)
    {
        var message = JsonSerializer.Deserialize(json, QueueJson.Default.SignalChunkMessage)
            ?? throw new InvalidDataException("empty signals-intake message");
        if (message.Encoding is not (null or Gzip.Name))
        {
            throw new InvalidDataException($"signals-intake message with unknown encoding '{message.Encoding}'");
        }

        var decrypted = protector.Unprotect(new ProtectedPayload(message.KeyId, message.Payload), ProtectionContexts.Chunk(message.ReceiptId, message.Chunk));
        var plaintext = message.Encoding is null ? decrypted : Gzip.Decompress(decrypted, MaxMessageBytes * 64);
        var signals = JsonSerializer.Deserialize(plaintext, CoreJson.Default.ListQueuedSignal)
            ?? throw new InvalidDataException("signals-intake message without signals");
        return new SignalChunk(message.ReceiptId, message.Chunk, message.CreditorId, message.ReceivedAt, message.TraceParent, signals);
    }

    public static string EncodePointers(IReadOnlyList<OutboxPointer> pointers) => JsonSerializer.Serialize(
        new DispatchMessage(pointers.Select(p => new DispatchPointer(p.HouseholdKey, p.TaskId, p.Gemeentecode, p.CreatedAt)).ToList()), QueueJson.Default.DispatchMessage);

    public static IReadOnlyList<OutboxPointer> DecodePointers(string json)
    {
        var m = JsonSerializer.Deserialize(json, QueueJson.Default.DispatchMessage) ?? throw new InvalidDataException("empty dispatch message");
        if (m.Tasks is not { Count: > 0 })
        {
            throw new InvalidDataException("a dispatch message without tasks");
        }

        return m.Tasks.Select(p => new OutboxPointer(p.HouseholdKey, p.TaskId, p.Gemeentecode, p.CreatedAt)).ToList();
    }
}

/// <summary>gzip for queue payloads, with a bound on the decompressed size (a corrupt or hostile message cannot inflate without limit).</summary>
internal static class Gzip
{
    public const string Name = "gzip";

    public static byte[] Compress(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    public static byte[] Decompress(byte[] data, int maxBytes)
    {
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = gzip.Read(chunk)) > 0)
        {
            if (output.Length + read > maxBytes)
            {
                throw new InvalidDataException($"a signals-intake payload decompresses to more than {maxBytes} bytes");
            }

            output.Write(chunk, 0, read);
        }

        return output.ToArray();
    }
}
