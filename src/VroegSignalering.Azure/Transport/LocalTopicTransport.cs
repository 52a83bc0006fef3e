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

    public async Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken)
    {
        var topic = await tables.GetAsync(names.OutreachTopic, cancellationToken);
        var outcomes = new PublishOutcome[messages.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, messages.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var message = messages[i];
            if (!message.ApplicationProperties.TryGetValue("gemeentecode", out var gemeente) || gemeente.Length != 4 || !gemeente.All(char.IsAsciiDigit))
            {
                outcomes[i] = new PublishOutcome(message.MessageId, PublishStatus.FailedPermanently, "400 message has no valid gemeentecode property");
                return;
            }

            try
            {
                outcomes[i] = await SendAsync(topic, gemeente, message, ct);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The write may have landed: the retry meets its id entity and is dropped.
                outcomes[i] = new PublishOutcome(message.MessageId, PublishStatus.FailedTransiently, "send timed out");
            }
            catch (Exception ex) when (ex is RequestFailedException || TransientFailure.IsTransient(ex))
            {
                outcomes[i] = new PublishOutcome(message.MessageId, Classify(ex), Describe(ex));
            }
        });
        return outcomes;
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
            await topic.SubmitTransactionAsync([id, new TableTransactionAction(TableTransactionActionType.Add, message)], cancellationToken);
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
