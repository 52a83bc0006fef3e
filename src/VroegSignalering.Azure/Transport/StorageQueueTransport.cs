using Azure;
using Azure.Data.Tables;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.Transport;

/// <summary>
/// The local stand-in for the Service Bus topic: one storage queue per gemeente
/// (<c>outreach-tasks-&lt;gemeentecode&gt;</c>), each message the <see cref="LocalServiceBusMessage"/> envelope
/// with the same broker and application properties. Duplicate detection is emulated as the topic does
/// it: a message id seen within the detection window is dropped (reported as sent). The id is recorded
/// (with the time) before the send; after the window the same id is sent again, as Service Bus would
/// accept it again, which only happens when a send never got recorded on its outbox row.
/// </summary>
public sealed class StorageQueueTransport(QueueSet queues, TableSet tables, StorageNames names, TimeProvider time) : IOutreachTransport
{
    public static readonly TimeSpan DuplicateDetectionWindow = TimeSpan.FromMinutes(1);

    public async Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken)
    {
        var sent = await tables.GetAsync(names.SentMessages, cancellationToken);
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
                if (await ClaimAsync(sent, gemeente, message.MessageId, ct))
                {
                    var queue = await queues.GetAsync(names.OutreachQueue(gemeente), ct);
                    var envelope = new LocalServiceBusMessage
                    {
                        MessageId = message.MessageId,
                        Subject = message.Subject,
                        CorrelationId = message.CorrelationId,
                        SessionId = message.SessionId,
                        ContentType = message.ContentType,
                        TimeToLive = message.TimeToLive,
                        EnqueuedTime = time.GetUtcNow(),
                        ApplicationProperties = new Dictionary<string, string>(message.ApplicationProperties, StringComparer.Ordinal),
                        Body = message.Body,
                    };
                    await queue.SendMessageAsync(envelope.ToJson(), visibilityTimeout: null, timeToLive: message.TimeToLive, cancellationToken: ct);
                }

                outcomes[i] = new PublishOutcome(message.MessageId, PublishStatus.Sent);
            }
            catch (RequestFailedException ex) when (ex.Status is 400 or 413)
            {
                outcomes[i] = new PublishOutcome(message.MessageId, PublishStatus.FailedPermanently, $"{ex.Status} {ex.ErrorCode}");
            }
            catch (RequestFailedException ex) when (TransientFailure.IsTransient(ex))
            {
                outcomes[i] = new PublishOutcome(message.MessageId, PublishStatus.FailedTransiently, $"{ex.Status} {ex.ErrorCode}");
            }
            catch (HttpRequestException ex)
            {
                outcomes[i] = new PublishOutcome(message.MessageId, PublishStatus.FailedTransiently, $"network {ex.HttpRequestError}");
            }
        });
        return outcomes;
    }

    // True when this call owns the send: the id is new, or an earlier send of it stalled before completing.
    private async Task<bool> ClaimAsync(TableClient sent, string gemeente, string messageId, CancellationToken cancellationToken)
    {
        var key = TableKeys.Escape(messageId);
        var now = time.GetUtcNow();
        try
        {
            await sent.AddEntityAsync(new TableEntity(gemeente, key) { ["At"] = now }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await sent.GetEntityIfExistsAsync<TableEntity>(gemeente, key, cancellationToken: cancellationToken);
            if (!existing.HasValue || now - (existing.Value!.GetDateTimeOffset("At") ?? now) < DuplicateDetectionWindow)
            {
                return false;
            }

            existing.Value["At"] = now;
            try
            {
                await sent.UpdateEntityAsync(existing.Value, existing.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException conflict) when (conflict.Status == 412)
            {
                return false;
            }
        }
    }
}
