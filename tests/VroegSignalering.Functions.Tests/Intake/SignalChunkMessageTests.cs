using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Intake;

/// <summary>The signals-intake message on the real queue: compressed before encryption, and messages written before that still processed.</summary>
public sealed class SignalChunkMessageTests : IDisposable
{
    private readonly PipelineApp _app = new();

    [Fact]
    public async Task A_chunk_is_queued_compressed_at_well_under_half_its_plain_size_and_processed_whole()
    {
        var signals = Enumerable.Range(1, 30).Select(i => TestSignals.Signal($"GZ-{i}", huisnummer: i)).ToArray();
        await PostAsync(signals);

        var (text, message) = await PeekAsync();
        var chunk = _app.Services.GetRequiredService<ISignalQueue>().Decode(text);
        var plain = JsonSerializer.SerializeToUtf8Bytes(chunk.Signals.ToList(), CoreJson.Default.ListQueuedSignal);

        Assert.Equal("gzip", message["encoding"]!.GetValue<string>());
        Assert.Equal(30, chunk.Signals.Count);
        Assert.True(Convert.FromBase64String(message["payload"]!.GetValue<string>()).Length < plain.Length / 2, "the payload should be compressed");
        Assert.Equal(30, await _app.ProcessAllAsync() > 0 ? (await _app.RowsAsync("s|")).Count : -1);
    }

    [Fact]
    public async Task A_message_written_before_compression_is_still_processed()
    {
        await PostAsync(TestSignals.Signal("OLD-1", huisnummer: 3));
        var queue = _app.Storage.Queues.GetQueueClient(_app.Names.SignalsIntakeQueue);
        var (text, message) = await PeekAsync();
        var chunk = _app.Services.GetRequiredService<ISignalQueue>().Decode(text);
        await queue.ClearMessagesAsync();

        // As the codec wrote it before: the plain signals encrypted, no "encoding".
        var protector = _app.Services.GetRequiredService<IPersonalDataProtector>();
        var sealedPayload = protector.Protect(JsonSerializer.SerializeToUtf8Bytes(chunk.Signals.ToList(), CoreJson.Default.ListQueuedSignal), ProtectionContexts.Chunk(chunk.ReceiptId, chunk.Chunk));
        message["payload"] = Convert.ToBase64String(sealedPayload.Data);
        message["keyId"] = sealedPayload.KeyId;
        message.Remove("encoding");
        await queue.SendMessageAsync(message.ToJsonString());

        await _app.ProcessAllAsync();
        Assert.Single(await _app.RowsAsync("s|"));
    }

    [Fact]
    public void A_message_with_an_unknown_encoding_is_refused_as_unreadable()
    {
        var codec = _app.Services.GetRequiredService<QueueMessageCodec>();
        var json = """{"receiptId":"r-1","chunk":0,"creditorId":"c","receivedAt":"2026-11-30T00:00:00+00:00","traceparent":null,"keyId":"k","payload":"AAAA","encoding":"zstd"}""";
        Assert.Throws<InvalidDataException>(() => codec.DecodeChunk(json));
    }

    public void Dispose() => _app.Dispose();

    private async Task PostAsync(params JsonObject[] signals)
    {
        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(signals));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    // The queue's raw message (the client decodes the base64 the trigger expects) and its JSON.
    private async Task<(string Text, JsonObject Message)> PeekAsync()
    {
        var peeked = Assert.Single((await _app.Storage.Queues.GetQueueClient(_app.Names.SignalsIntakeQueue).PeekMessagesAsync(32)).Value);
        var text = peeked.Body.ToString();
        return (text, JsonNode.Parse(Encoding.UTF8.GetBytes(text))!.AsObject());
    }
}
