using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.Transport;

/// <summary>
/// The local stand-in for the Service Bus topic: one table (<see cref="StorageNames.OutreachTopic"/>) with a
/// partition per gemeente, standing in for the gemeente's subscription. Each message is the
/// <see cref="LocalServiceBusMessage"/> envelope with the same broker and application properties.
/// <para>
/// Duplicate detection is the topic's, and as atomic as the broker's: a send is ONE entity-group transaction
/// that adds the message and its id entity together. A second send of the id within
/// <see cref="DuplicateDetectionWindow"/> meets the id entity and is dropped (reported as sent, as Service Bus
/// does); after the window it is accepted again (the id entity is replaced, ETag-conditioned, in the same
/// transaction as the new message). A crash or a lost reply leaves both entities or neither, so a retry never
/// makes a second copy (docs/adr/0008-local-topic-is-a-table.md: storage queues plus a record could not).
/// </para>
/// </summary>
public sealed class LocalTopicTransport(TableSet tables, StorageNames names, TimeProvider time, IOptions<LocalTransportOptions> options) : IOutreachTransport
{
    /// <summary>The topic's duplicate detection window (Dispatch:Local:DuplicateDetectionWindow, by default Dispatch:ServiceBus's).</summary>
    public TimeSpan DuplicateDetectionWindow { get; } = options.Value.DuplicateDetectionWindow;

    /// <summary>Most messages in one batch (two entities each: a transaction holds at most 100).</summary>
    public const int MaxBatchMessages = 50;

    // Envelope characters in one batch, well inside a transaction's 4 MiB.
    private const int MaxBatchChars = 1_000_000;

    public async Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken)
    {
        var topic = await tables.GetAsync(names.OutreachTopic, cancellationToken);
        var outcomes = new PublishOutcome?[messages.Count];
        var byGemeente = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < messages.Count; i++)
        {
            if (!messages[i].ApplicationProperties.TryGetValue("gemeentecode", out var gemeente) || gemeente.Length != 4 || !gemeente.All(char.IsAsciiDigit))
            {
                outcomes[i] = new PublishOutcome(messages[i].MessageId, PublishStatus.FailedPermanently, "400 message has no valid gemeentecode property");
                continue;
            }

            if (!byGemeente.TryGetValue(gemeente, out var list))
            {
                byGemeente[gemeente] = list = [];
            }

            list.Add(i);
        }

        // As Service Bus takes a batch: the messages for one subscription's partition go in transactions of up to
        // 50 (message + id entity each), all or nothing. A batch that meets an id seen before, or fails at all,
        // is sent again one message at a time, where duplicate detection decides per message.
        var batches = byGemeente.SelectMany(g => Batches(g.Key, g.Value, messages)).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            if (batch.Batchable && batch.Indexes.Count > 1 && await TrySubmitBatchAsync(topic, batch.Entities, ct))
            {
                foreach (var i in batch.Indexes)
                {
                    outcomes[i] = new PublishOutcome(messages[i].MessageId, PublishStatus.Sent);
                }

                return;
            }

            foreach (var i in batch.Indexes)
            {
                outcomes[i] = await SendOneAsync(topic, batch.Gemeente, messages[i], ct);
            }
        });
        return outcomes.Select((o, i) => o ?? new PublishOutcome(messages[i].MessageId, PublishStatus.FailedTransiently, "not sent")).ToList();
    }

    private sealed class Batch(string gemeente)
    {
        public string Gemeente => gemeente;

        public List<int> Indexes { get; } = [];

        public List<TableTransactionAction> Entities { get; } = [];

        public int Chars { get; set; }

        /// <summary>False when a message in it is too long for the topic: the single send refuses that one.</summary>
        public bool Batchable { get; set; } = true;
    }

    private IEnumerable<Batch> Batches(string gemeente, List<int> indexes, IReadOnlyList<OutboundMessage> messages)
    {
        var now = time.GetUtcNow();
        var current = new Batch(gemeente);
        foreach (var i in indexes)
        {
            var size = messages[i].Body.Length;
            if (current.Indexes.Count > 0 && (current.Indexes.Count == MaxBatchMessages || current.Chars + size > MaxBatchChars))
            {
                yield return current;
                current = new Batch(gemeente);
            }

            current.Indexes.Add(i);
            current.Chars += size;
            if (LocalTopic.MessageEntity(gemeente, Envelope(messages[i], now)) is { } entity)
            {
                current.Entities.Add(new TableTransactionAction(TableTransactionActionType.Add,
                    new TableEntity(gemeente, LocalTopic.IdKey(messages[i].MessageId)) { ["AcceptedAt"] = now, ["MessageRowKey"] = entity.RowKey }));
                current.Entities.Add(new TableTransactionAction(TableTransactionActionType.Add, entity));
            }
            else
            {
                current.Batchable = false;
            }
        }

        if (current.Indexes.Count > 0)
        {
            yield return current;
        }
    }

    // False when the batch did not go in as a whole: nothing of it was written, or (a lost reply) all of it was,
    // and the single sends then meet the id entities and report the messages as sent.
    private static async Task<bool> TrySubmitBatchAsync(TableClient topic, List<TableTransactionAction> entities, CancellationToken cancellationToken)
    {
        try
        {
            await topic.SubmitCountedAsync(entities, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is RequestFailedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested) || TransientFailure.IsTransient(ex, cancellationToken))
        {
            return false;
        }
    }

    private async Task<PublishOutcome> SendOneAsync(TableClient topic, string gemeente, OutboundMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(topic, gemeente, message, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The write may have landed: the retry meets its id entity and is dropped.
            return new PublishOutcome(message.MessageId, PublishStatus.FailedTransiently, "send timed out");
        }
        catch (Exception ex) when (ex is RequestFailedException || TransientFailure.IsTransient(ex))
        {
            return new PublishOutcome(message.MessageId, Classify(ex), Describe(ex));
        }
    }

    private async Task<PublishOutcome> SendAsync(TableClient topic, string gemeente, OutboundMessage message, CancellationToken cancellationToken)
    {
        var idKey = LocalTopic.IdKey(message.MessageId);

        // A few rounds at most: a sender that loses a race for the id meets the winner's fresh id entity next round.
        for (var round = 0; round < 3; round++)
        {
            var now = time.GetUtcNow();
            if (LocalTopic.MessageEntity(gemeente, Envelope(message, now)) is not { } entity)
            {
                return new PublishOutcome(message.MessageId, PublishStatus.FailedPermanently,
                    $"413 the message's envelope is longer than the local topic holds ({LocalTopic.MaxEnvelopeChars} characters)");
            }

            var id = new TableEntity(gemeente, idKey) { ["AcceptedAt"] = now, ["MessageRowKey"] = entity.RowKey };
            if (await TrySubmitAsync(topic, new TableTransactionAction(TableTransactionActionType.Add, id), entity, cancellationToken))
            {
                return new PublishOutcome(message.MessageId, PublishStatus.Sent);
            }

            // The id was accepted before (perhaps by this very send, whose reply was lost).
            var existing = await topic.GetEntityIfExistsAsync<TableEntity>(gemeente, idKey, select: ["AcceptedAt"], cancellationToken: cancellationToken);
            if (!existing.HasValue)
            {
                continue;
            }

            if (now - (existing.Value!.GetDateTimeOffset("AcceptedAt") ?? now) < DuplicateDetectionWindow)
            {
                return new PublishOutcome(message.MessageId, PublishStatus.Sent); // a duplicate within the window: dropped, as the broker does
            }

            // Older than the window: accepted again, the id's new acceptance and the message in one transaction.
            if (await TrySubmitAsync(topic, new TableTransactionAction(TableTransactionActionType.UpdateReplace, id, existing.Value.ETag), entity, cancellationToken))
            {
                return new PublishOutcome(message.MessageId, PublishStatus.Sent);
            }
        }

        return new PublishOutcome(message.MessageId, PublishStatus.FailedTransiently, "other sends of this message id kept winning; the next attempt sends or drops it");
    }

    // False when the id entity is not as expected (added or replaced by another send meanwhile): nothing was written.
    private static async Task<bool> TrySubmitAsync(TableClient topic, TableTransactionAction id, TableEntity message, CancellationToken cancellationToken)
    {
        try
        {
            await topic.SubmitCountedAsync([id, new TableTransactionAction(TableTransactionActionType.Add, message)], cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    private static LocalServiceBusMessage Envelope(OutboundMessage message, DateTimeOffset now) => new()
    {
        MessageId = message.MessageId,
        Subject = message.Subject,
        CorrelationId = message.CorrelationId,
        SessionId = message.SessionId,
        ContentType = message.ContentType,
        TimeToLive = message.TimeToLive,
        EnqueuedTime = now,
        ApplicationProperties = new Dictionary<string, string>(message.ApplicationProperties, StringComparer.Ordinal),
        Body = message.Body,
    };

    // Transient failures are retried by the sweeper; any other refusal (400, 403, 404, 413) waits for `vroeg outbox retry`.
    private static PublishStatus Classify(Exception ex) =>
        TransientFailure.IsTransient(ex) ? PublishStatus.FailedTransiently : PublishStatus.FailedPermanently;

    private static string Describe(Exception ex) => ex switch
    {
        RequestFailedException r => $"{r.Status} {r.ErrorCode}",
        HttpRequestException h => $"network {h.HttpRequestError}",
        _ => ex.GetType().Name,
    };
}
