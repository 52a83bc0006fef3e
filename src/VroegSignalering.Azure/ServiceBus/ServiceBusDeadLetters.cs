using System.Globalization;
using Azure.Messaging.ServiceBus;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.ServiceBus;

/// <summary>
/// A message in a subscription's dead-letter queue. <see cref="Body"/> holds the task with contact details:
/// never print or log it.
/// </summary>
public sealed record DeadLetteredMessage(
    string MessageId,
    long SequenceNumber,
    DateTimeOffset? EnqueuedAt,
    int DeliveryCount,
    string? DeadLetterReason,
    string? DeadLetterErrorDescription,
    string? Subject,
    string? CorrelationId,
    string? SessionId,
    TimeSpan? TimeToLive,
    string ContentType,
    IReadOnlyDictionary<string, string> ApplicationProperties,
    string Body)
{
    /// <summary>The message as it was first sent: same id, properties and body.</summary>
    public OutboundMessage ToOutbound() => new()
    {
        MessageId = MessageId,
        Subject = Subject ?? OutreachTaskMessage.SchemaVersionV1,
        CorrelationId = CorrelationId,
        SessionId = SessionId,
        TimeToLive = TimeToLive,
        ContentType = ContentType,
        ApplicationProperties = ApplicationProperties,
        Body = Body,
    };

    // Only the contract's application properties come along: the broker's DeadLetterReason and
    // DeadLetterErrorDescription live there too and must not travel with a resend.
    internal static DeadLetteredMessage From(ServiceBusReceivedMessage message)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ServiceBusDeadLetters.ContractProperties)
        {
            if (message.ApplicationProperties.TryGetValue(name, out var value) && Convert.ToString(value, CultureInfo.InvariantCulture) is { } text)
            {
                properties[name] = text;
            }
        }

        return new DeadLetteredMessage(
            message.MessageId ?? "",
            message.SequenceNumber,
            message.EnqueuedTime == default ? null : message.EnqueuedTime,
            message.DeliveryCount,
            message.DeadLetterReason,
            message.DeadLetterErrorDescription,
            message.Subject,
            message.CorrelationId,
            message.SessionId,
            message.TimeToLive == TimeSpan.MaxValue ? null : message.TimeToLive,
            string.IsNullOrEmpty(message.ContentType) ? "application/json" : message.ContentType,
            properties,
            message.Body.ToString());
    }
}

/// <summary>What a re-drive did with one dead-lettered message.</summary>
public enum RedriveResult
{
    /// <summary>Sent to the topic again and removed from the dead-letter queue.</summary>
    Sent,

    /// <summary>Left in the dead-letter queue: first sent within the duplicate detection window (or when is unknown), or of another gemeente.</summary>
    Held,

    /// <summary>Left in the dead-letter queue: the topic did not accept it.</summary>
    Failed,

    /// <summary>Sent to the topic again, but removing it from the dead-letter queue failed (its lock was lost).</summary>
    SentNotRemoved,
}

public sealed record RedriveOutcome(string MessageId, RedriveResult Result, string Detail);

/// <summary>A re-drive: per task what happened, and why it stopped early (null when it ran to the end).</summary>
public sealed record DeadLetterRedrive(string Subscription, IReadOnlyList<RedriveOutcome> Outcomes, string? StoppedBy);

/// <summary>A listing of dead letters, and why it stopped early (null when it read to the end or the maximum).</summary>
public sealed record DeadLetterListing(string Subscription, IReadOnlyList<DeadLetteredMessage> Messages, string? StoppedBy);

/// <summary>
/// The dead-letter queues of the outreach topic's subscriptions, through a <see cref="ServiceBusReceiver"/> on
/// <see cref="SubQueue.DeadLetter"/> of subscription <c>gm&lt;gemeentecode&gt;</c>. Listing peeks (no locks);
/// re-driving receives in PeekLock mode and resends through the topic's transport. Reading needs the Listen
/// right (<i>Azure Service Bus Data Receiver</i>), re-driving also Send (<i>Data Sender</i>) on the topic.
/// </summary>
public sealed class ServiceBusDeadLetters
{
    /// <summary>The application properties the outreach contract sets; only these are carried over on a re-drive.</summary>
    public static readonly IReadOnlyList<string> ContractProperties = ["gemeentecode", "wijk", "team", "priority"];

    /// <summary>Extra time on top of the duplicate detection window before a re-drive: clocks differ, windows are rounded.</summary>
    public static readonly TimeSpan SafetyMargin = TimeSpan.FromMinutes(5);

    // How long one receive waits for a message before the queue counts as read to the end.
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(5);

    private const string LocksKeptExpiring = "locks kept expiring before the run got through the queue: run again with a smaller --max";

    private readonly OpenDeadLetterReceiver _open;
    private readonly IOutreachTransport _topic;
    private readonly TimeProvider _time;

    internal ServiceBusDeadLetters(OpenDeadLetterReceiver open, ServiceBusTransportOptions options, IOutreachTransport topic, TimeProvider time)
    {
        _open = open;
        _topic = topic;
        _time = time;
        Topic = options.TopicName;
        DuplicateDetectionWindow = options.DuplicateDetectionWindow;
    }

    /// <summary>The topic's duplicate detection window: a re-sent id within it would be dropped by the broker.</summary>
    public TimeSpan DuplicateDetectionWindow { get; }

    public string Topic { get; }

    /// <summary>The gemeente's subscription, as infra/modules/servicebus.bicep names it.</summary>
    public static string SubscriptionOf(string gemeentecode) => "gm" + gemeentecode;

    /// <summary>
    /// Up to <paramref name="max"/> dead-lettered tasks of a gemeente's subscription, by sequence number, peeked:
    /// nothing is locked or changed. Reading stops early (with the reason) when the broker fails.
    /// </summary>
    public async Task<DeadLetterListing> ListAsync(string gemeentecode, int max, CancellationToken cancellationToken)
    {
        var subscription = SubscriptionOf(gemeentecode);
        var messages = new List<DeadLetteredMessage>();
        string? stoppedBy = null;
        var receiver = _open(subscription);
        await using (receiver.ConfigureAwait(false))
        {
            try
            {
                long? from = null;
                while (messages.Count < max)
                {
                    var page = await receiver.PeekMessagesAsync(max - messages.Count, from, cancellationToken).ConfigureAwait(false);
                    // Only messages past the last page: a page served twice must end the loop, not repeat it.
                    var fresh = page.Where(m => from is null || m.SequenceNumber >= from).ToList();
                    if (fresh.Count == 0)
                    {
                        break;
                    }

                    messages.AddRange(fresh.Select(DeadLetteredMessage.From));
                    from = fresh.Max(m => m.SequenceNumber) + 1;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                stoppedBy = Describe(ex);
            }
        }

        messages.Sort((a, b) => a.SequenceNumber.CompareTo(b.SequenceNumber));
        return new DeadLetterListing(subscription, messages, stoppedBy);
    }

    /// <summary>
    /// Sends up to <paramref name="max"/> dead-lettered tasks of a gemeente's subscription to the topic again, with
    /// their own id and properties, and removes (completes) each only once the topic accepted it. Held back, and
    /// left in the dead-letter queue: a task first sent within the duplicate detection window plus
    /// <see cref="SafetyMargin"/> or at an unknown time (the broker would drop the resend as a duplicate yet
    /// accept the send, so removing it would lose the task), and a task whose gemeentecode is not this gemeente's
    /// (its resend would not come back to this subscription). Held tasks stay locked until the run ends, so the
    /// next receive gets others, and are abandoned then. A task the topic refuses stays too. A broker failure
    /// stops the run with the reason; what was done until then is reported.
    /// </summary>
    public async Task<DeadLetterRedrive> RedriveAsync(string gemeentecode, int max, CancellationToken cancellationToken)
    {
        var subscription = SubscriptionOf(gemeentecode);
        var outcomes = new List<RedriveOutcome>();
        var outcomeOf = new Dictionary<long, int>();
        var held = new List<ServiceBusReceivedMessage>();
        var now = _time.GetUtcNow();
        string? stoppedBy = null;
        var receiver = _open(subscription);
        await using (receiver.ConfigureAwait(false))
        {
            try
            {
                for (var locks = 0; outcomes.Count < max; locks++)
                {
                    if (locks >= LockBudget(max))
                    {
                        stoppedBy = LocksKeptExpiring;
                        break;
                    }

                    var received = await receiver.ReceiveMessagesAsync(1, ReceiveWait, cancellationToken).ConfigureAwait(false);
                    if (received.Count == 0)
                    {
                        break;
                    }

                    var message = received[0];
                    if (outcomeOf.TryGetValue(message.SequenceNumber, out var seen))
                    {
                        // Came round again: its lock expired (held too long) or was lost while completing it after the resend.
                        held.RemoveAll(m => m.SequenceNumber == message.SequenceNumber);
                        if (outcomes[seen].Result == RedriveResult.SentNotRemoved && await TryCompleteAsync(receiver, message).ConfigureAwait(false) is null)
                        {
                            outcomes[seen] = outcomes[seen] with { Result = RedriveResult.Sent, Detail = "sent again to " + Topic + " (removed on a second try)" };
                        }
                        else
                        {
                            held.Add(message); // keep it locked, so the next receive gets another message
                        }

                        continue;
                    }

                    var deadLetter = DeadLetteredMessage.From(message);
                    outcomeOf[message.SequenceNumber] = outcomes.Count;
                    if (HoldReason(deadLetter, gemeentecode, now) is { } reason)
                    {
                        held.Add(message);
                        outcomes.Add(new RedriveOutcome(deadLetter.MessageId, RedriveResult.Held, reason));
                        continue;
                    }

                    var sent = (await _topic.PublishAsync([deadLetter.ToOutbound()], cancellationToken).ConfigureAwait(false))[0];
                    if (sent.Status != PublishStatus.Sent)
                    {
                        held.Add(message);
                        outcomes.Add(new RedriveOutcome(deadLetter.MessageId, RedriveResult.Failed, sent.Reason ?? sent.Status.ToString()));
                        continue;
                    }

                    // Sent: remove it whatever happens to the caller now, or the next run sends it once more.
                    outcomes.Add(await TryCompleteAsync(receiver, message).ConfigureAwait(false) is { } failure
                        ? new RedriveOutcome(deadLetter.MessageId, RedriveResult.SentNotRemoved,
                            "sent again, but still in the dead-letter queue (" + failure + "); a later re-drive is dropped by the topic as a duplicate and then removes it")
                        : new RedriveOutcome(deadLetter.MessageId, RedriveResult.Sent, "sent again to " + Topic));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                stoppedBy = Describe(ex);
            }
            finally
            {
                foreach (var message in held)
                {
                    await AbandonQuietlyAsync(receiver, message).ConfigureAwait(false);
                }
            }
        }

        return new DeadLetterRedrive(subscription, outcomes, stoppedBy);
    }

    // Each message is normally received once; a few come round again after a lost or expired lock.
    private static int LockBudget(int max) => (2 * max) + 10;

    // Null when removed; otherwise why not.
    private static async Task<string?> TryCompleteAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message)
    {
        try
        {
            await receiver.CompleteMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Describe(ex);
        }
    }

    private static async Task AbandonQuietlyAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message)
    {
        try
        {
            await receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // the lock expires on its own (the subscription's lock duration)
        }
    }

    private string? HoldReason(DeadLetteredMessage message, string gemeentecode, DateTimeOffset now)
    {
        if (message.MessageId.Length == 0)
        {
            return "it has no MessageId: the topic could not recognise a resend as a duplicate";
        }

        if (!message.ApplicationProperties.TryGetValue("gemeentecode", out var code) || code != gemeentecode)
        {
            return $"its gemeentecode property is '{code ?? "(none)"}', not {gemeentecode}: a resend would not come back to this subscription";
        }

        if (message.EnqueuedAt is not { } enqueued)
        {
            return "the broker did not say when it was first sent";
        }

        var safeAfter = enqueued + DuplicateDetectionWindow + SafetyMargin;
        return now < safeAfter
            ? string.Create(CultureInfo.InvariantCulture, $"first sent within the duplicate detection window; re-drive after {safeAfter:yyyy-MM-dd HH:mm:ss} UTC")
            : null;
    }

    private static string Describe(Exception ex) => ex switch
    {
        ServiceBusException { Reason: ServiceBusFailureReason.MessageLockLost } => "its lock was lost (MessageLockLost)",
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound } => "the topic or subscription does not exist (MessagingEntityNotFound)",
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityDisabled } => "the subscription is disabled (MessagingEntityDisabled)",
        ServiceBusException { IsTransient: true } e => $"Service Bus failed repeatedly ({e.Reason}); the client's retries ran out",
        ServiceBusException e => $"Service Bus refused ({e.Reason})",
        UnauthorizedAccessException =>
            "not allowed: the identity needs Azure Service Bus Data Receiver on the subscription and Data Sender on the topic",
        _ => ServiceBusTransport.Classify(ex).Reason,
    };
}
