using Azure;
using Azure.Data.Tables;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;

namespace VroegSignalering.Azure.Transport;

/// <summary>
/// Reads the emulated topic <see cref="LocalTopicTransport"/> writes: a table with a partition per gemeente
/// (its subscription), message entities <c>m|&lt;enqueued ticks&gt;|&lt;message id&gt;</c> in enqueue order and
/// duplicate-detection entities <c>id|&lt;message id&gt;</c>. Every reader of the stand-in goes through here.
/// Expired messages are skipped, as the broker would no longer deliver them. A table that does not exist is
/// an error (RequestFailedException 404): callers that may run before the first send ask <see cref="ExistsAsync"/>.
/// </summary>
public sealed class LocalTopic(StorageClients storage, StorageNames names, TimeProvider time)
{
    private const string MessagePrefix = "m|";

    // '}' follows '|': every message RowKey sorts between the two.
    private const string MessageEnd = "m}";

    private TableClient Table => storage.Tables.GetTableClient(names.OutreachTopic);

    /// <summary>RowKey of a message id's duplicate-detection entity.</summary>
    public static string IdKey(string messageId) => "id|" + TableKeys.Escape(messageId);

    /// <summary>A table string property holds at most 32K UTF-16 characters (64 KiB): the envelope is split over properties of this size.</summary>
    public const int EnvelopePartChars = 32 * 1024;

    /// <summary>
    /// Envelope parts per message: 15 × 64 KiB stays below the entity's 1 MiB with its keys and expiry, and the
    /// envelope of a message at Service Bus Standard's 256 KB limit fits.
    /// </summary>
    public const int MaxEnvelopeParts = 15;

    /// <summary>The largest envelope (JSON characters) the stand-in holds; a larger message is refused as too large, as the topic refuses one.</summary>
    public const int MaxEnvelopeChars = EnvelopePartChars * MaxEnvelopeParts;

    /// <summary>
    /// The entity of one message in its gemeente's partition, keyed to sort in enqueue order, its envelope in
    /// <c>Envelope</c>, <c>Envelope1</c>, <c>Envelope2</c>… of at most <see cref="EnvelopePartChars"/> each;
    /// null when the envelope is longer than <see cref="MaxEnvelopeChars"/>.
    /// </summary>
    public static TableEntity? MessageEntity(string gemeente, LocalServiceBusMessage envelope)
    {
        var enqueued = envelope.EnqueuedTime ?? throw new ArgumentException("an enqueued message has an enqueued time", nameof(envelope));
        var json = envelope.ToJson();
        if (json.Length > MaxEnvelopeChars)
        {
            return null;
        }

        var entity = new TableEntity(gemeente, MessagePrefix + TableKeys.Ticks(enqueued) + "|" + TableKeys.Escape(envelope.MessageId));
        for (var part = 0; part * EnvelopePartChars < json.Length || part == 0; part++)
        {
            var start = part * EnvelopePartChars;
            entity[EnvelopeProperty(part)] = json.Substring(start, Math.Min(EnvelopePartChars, json.Length - start));
        }
        if (envelope.TimeToLive is { } ttl)
        {
            entity["ExpiresAt"] = enqueued + ttl;
        }

        return entity;
    }

    public async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        await foreach (var _ in storage.Tables.QueryAsync(t => t.Name == names.OutreachTopic, maxPerPage: 1, cancellationToken: cancellationToken))
        {
            return true;
        }

        return false;
    }

    /// <summary>The first <paramref name="max"/> live messages of a gemeente, in enqueue order; nothing changes.</summary>
    public async Task<IReadOnlyList<LocalServiceBusMessage>> PeekAsync(string gemeente, int max, CancellationToken cancellationToken) =>
        [.. (await ReadAsync(gemeente, max, cancellationToken)).Select(m => m.Message)];

    /// <summary>How many live messages a gemeente's subscription holds.</summary>
    public async Task<int> CountAsync(string gemeente, CancellationToken cancellationToken) =>
        (await ReadAsync(gemeente, int.MaxValue, cancellationToken)).Count;

    /// <summary>Every gemeente with at least one live message.</summary>
    public async Task<IReadOnlyList<string>> GemeentenAsync(CancellationToken cancellationToken) =>
        [.. (await ReadAllAsync(cancellationToken)).Keys];

    /// <summary>Every live message per gemeente, in enqueue order (a full scan: for verification and tests).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<LocalServiceBusMessage>>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey ge {MessagePrefix} and RowKey lt {MessageEnd}");
        var all = new SortedDictionary<string, List<LocalServiceBusMessage>>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (Live(e, now))
            {
                (all.TryGetValue(e.PartitionKey, out var list) ? list : all[e.PartitionKey] = []).Add(Parse(e));
            }
        }

        return all.ToDictionary(g => g.Key, g => (IReadOnlyList<LocalServiceBusMessage>)g.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> live messages off a gemeente's subscription, in order, as a consumer in
    /// receive-and-delete mode: each returned message was deleted by this call (one another consumer took first is skipped).
    /// </summary>
    public async Task<IReadOnlyList<LocalServiceBusMessage>> ReceiveAndDeleteAsync(string gemeente, int max, CancellationToken cancellationToken)
    {
        var taken = new List<LocalServiceBusMessage>();
        foreach (var (entity, message) in await ReadAsync(gemeente, max, cancellationToken))
        {
            try
            {
                await Table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
                taken.Add(message);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // another consumer received it first
            }
        }

        return taken;
    }

    private async Task<List<(TableEntity Entity, LocalServiceBusMessage Message)>> ReadAsync(string gemeente, int max, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {gemeente} and RowKey ge {MessagePrefix} and RowKey lt {MessageEnd}");
        var found = new List<(TableEntity, LocalServiceBusMessage)>();
        var now = time.GetUtcNow();
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (found.Count >= max)
            {
                break;
            }

            if (Live(e, now))
            {
                found.Add((e, Parse(e)));
            }
        }

        return found;
    }

    private static bool Live(TableEntity e, DateTimeOffset now) => e.GetDateTimeOffset("ExpiresAt") is not { } expires || expires > now;

    private static string EnvelopeProperty(int part) => part == 0 ? "Envelope" : "Envelope" + part.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static LocalServiceBusMessage Parse(TableEntity e)
    {
        var json = new System.Text.StringBuilder(e.GetString("Envelope") ?? string.Empty);
        for (var part = 1; e.GetString(EnvelopeProperty(part)) is { } more; part++)
        {
            json.Append(more);
        }

        return LocalServiceBusMessage.Parse(json.ToString(), e.RowKey);
    }
}
