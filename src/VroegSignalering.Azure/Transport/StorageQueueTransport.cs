using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
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
/// it: a message id the queue accepted within the detection window is dropped (reported as sent); after
/// the window the same id is sent again, as Service Bus would accept it again.
/// <para>
/// A send is claimed in the <c>sentmessages</c> table (state Sending) before it goes out, so two senders
/// of one id never both send, and recorded as Sent once the queue accepted it. A send that fails releases
/// its claim, so the next attempt sends; a claim left by a sender that crashed is taken over after
/// <see cref="SendLease"/>. Only an accepted send counts as a duplicate later: a failed one is never
/// reported as sent.
/// </para>
/// </summary>
public sealed class StorageQueueTransport(QueueSet queues, TableSet tables, StorageNames names, TimeProvider time, IOptions<StorageQueueTransportOptions> options) : IOutreachTransport
{
    /// <summary>The topic's duplicate detection window (Dispatch:StorageQueue:DuplicateDetectionWindow, by default Dispatch:ServiceBus's).</summary>
    public TimeSpan DuplicateDetectionWindow { get; } = options.Value.DuplicateDetectionWindow;

    /// <summary>How long a claim without a confirmed send holds off other senders of the same id.</summary>
    public static readonly TimeSpan SendLease = TimeSpan.FromSeconds(30);

    /// <summary>How long one send may take; well inside the lease, so a slow send is never taken over while it runs.</summary>
    public static readonly TimeSpan SendBudget = TimeSpan.FromSeconds(20);

    private const string Sending = "Sending";
    private const string Sent = "Sent";

    private enum Claim
    {
        Owned,
        AlreadySent,
        InFlight,
    }

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

            var key = TableKeys.Escape(message.MessageId);
            ETag claimTag;
            bool takenOver;
            try
            {
                (var claim, claimTag, takenOver) = await ClaimAsync(sent, gemeente, key, ct);
                if (claim != Claim.Owned)
                {
                    outcomes[i] = claim == Claim.AlreadySent
                        ? new PublishOutcome(message.MessageId, PublishStatus.Sent)
                        : new PublishOutcome(message.MessageId, PublishStatus.FailedTransiently, "another send of this message id is in progress");
                    return;
                }
            }
            catch (Exception ex) when (ex is RequestFailedException || TransientFailure.IsTransient(ex))
            {
                outcomes[i] = new PublishOutcome(message.MessageId, Classify(ex), Describe(ex));
                return;
            }

            // A send gets less time than the lease, so no other sender takes the claim over while it runs.
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
            budget.CancelAfter(SendBudget);
            try
            {
                var queue = await queues.GetAsync(names.OutreachQueue(gemeente), budget.Token);
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
                    ResentAfterLostRecord = takenOver,
                };
                await queue.SendMessageAsync(envelope.ToJson(), visibilityTimeout: null, timeToLive: message.TimeToLive, cancellationToken: budget.Token);
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the id goes back, so a later attempt sends it (a send cut off by the
                // budget may still have landed: then the queue holds it twice, which beats losing it).
                await ReleaseAsync(sent, gemeente, key, claimTag);
                if (ex is OperationCanceledException && ct.IsCancellationRequested)
                {
                    throw;
                }

                if (ex is OperationCanceledException)
                {
                    outcomes[i] = new PublishOutcome(message.MessageId, PublishStatus.FailedTransiently, "send timed out");
                    return;
                }

                if (ex is not RequestFailedException && !TransientFailure.IsTransient(ex))
                {
                    throw;
                }

                outcomes[i] = new PublishOutcome(message.MessageId, Classify(ex), Describe(ex));
                return;
            }

            await RecordSentAsync(sent, gemeente, key, claimTag);
            outcomes[i] = new PublishOutcome(message.MessageId, PublishStatus.Sent);
        });
        return outcomes;
    }

    // Transient failures are retried by the sweeper; any other refusal (400, 403, 404, 413) waits for `vroeg outbox retry`.
    private static PublishStatus Classify(Exception ex) =>
        TransientFailure.IsTransient(ex) ? PublishStatus.FailedTransiently : PublishStatus.FailedPermanently;

    private static string Describe(Exception ex) => ex switch
    {
        RequestFailedException r => $"{r.Status} {r.ErrorCode}",
        HttpRequestException h => $"network {h.HttpRequestError}",
        _ => ex.GetType().Name,
    };

    private static TableEntity Record(string gemeente, string key, string state, DateTimeOffset at) =>
        new(gemeente, key) { ["State"] = state, ["At"] = at };

    // Owned: this call sends (the id is new, its last accepted send is older than the window, or an
    // unconfirmed claim outlived its lease). AlreadySent: accepted within the window. InFlight: another
    // sender holds a fresh claim.
    // TakenOver: the claim was an unconfirmed one whose lease ended (its sender may have sent before it crashed).
    private async Task<(Claim Claim, ETag ETag, bool TakenOver)> ClaimAsync(TableClient sent, string gemeente, string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var added = await sent.AddEntityAsync(Record(gemeente, key, Sending, now), cancellationToken);
            return (Claim.Owned, added.Headers.ETag ?? ETag.All, false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // someone recorded this id before: look at what they left
        }

        var existing = await sent.GetEntityIfExistsAsync<TableEntity>(gemeente, key, cancellationToken: cancellationToken);
        if (!existing.HasValue)
        {
            return (Claim.InFlight, default, false); // released just now by a failed send: the next attempt claims it
        }

        var record = existing.Value!;
        var age = now - (record.GetDateTimeOffset("At") ?? now);
        var state = record.GetString("State") ?? Sending; // written before states existed: not known to have landed
        if (state == Sent && age < DuplicateDetectionWindow)
        {
            return (Claim.AlreadySent, default, false);
        }

        if (state == Sending && age < SendLease)
        {
            return (Claim.InFlight, default, false);
        }

        try
        {
            var updated = await sent.UpdateEntityAsync(Record(gemeente, key, Sending, now), record.ETag, TableUpdateMode.Replace, cancellationToken);
            return (Claim.Owned, updated.Headers.ETag ?? ETag.All, state == Sending);
        }
        catch (RequestFailedException conflict) when (conflict.Status is 404 or 412)
        {
            return (Claim.InFlight, default, false);
        }
    }

    // The queue accepted the message. If this record is lost, the claim lapses after the lease and a later
    // attempt for the same id could send it again; the caller marks the outbox row dispatched, so none comes.
    private async Task RecordSentAsync(TableClient sent, string gemeente, string key, ETag claim)
    {
        try
        {
            await sent.UpdateEntityAsync(Record(gemeente, key, Sent, time.GetUtcNow()), claim, TableUpdateMode.Replace, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException || TransientFailure.IsTransient(ex))
        {
            // best effort, see above
        }
    }

    // The send failed: give the id back so the next attempt sends at once. If this fails, the lease expires.
    private static async Task ReleaseAsync(TableClient sent, string gemeente, string key, ETag claim)
    {
        try
        {
            await sent.DeleteEntityAsync(gemeente, key, claim, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException || TransientFailure.IsTransient(ex))
        {
            // the lease covers it
        }
    }
}
