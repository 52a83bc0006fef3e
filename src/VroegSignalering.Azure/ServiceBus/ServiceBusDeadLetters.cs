using System.Globalization;
using Azure.Messaging.ServiceBus;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.ServiceBus;

/// <summary>A message in a subscription's dead-letter queue. <see cref="Body"/> holds the task with contact details: never print or log it.</summary>
public sealed record DeadLetteredMessage(
    string MessageId, long SequenceNumber, DateTimeOffset? EnqueuedAt, int DeliveryCount, string? DeadLetterReason, string? DeadLetterErrorDescription,
    string? Subject, string? CorrelationId, string? SessionId, TimeSpan? TimeToLive, string ContentType, IReadOnlyDictionary<string, string> ApplicationProperties, string Body)
{
    /// <summary>The message as it was first sent: same id, properties and body.</summary>
    public OutboundMessage ToOutbound() => new() { MessageId = MessageId, Subject = Subject ?? OutreachTaskMessage.SchemaVersionV1, CorrelationId = CorrelationId,
        SessionId = SessionId, TimeToLive = TimeToLive, ContentType = ContentType, ApplicationProperties = ApplicationProperties, Body = Body };

    // Only the contract's application properties: the broker's DeadLetterReason and DeadLetterErrorDescription live there too.
    internal static DeadLetteredMessage From(ServiceBusReceivedMessage m) => new(
        m.MessageId ?? "", m.SequenceNumber, m.EnqueuedTime == default ? null : m.EnqueuedTime, m.DeliveryCount, m.DeadLetterReason, m.DeadLetterErrorDescription,
        m.Subject, m.CorrelationId, m.SessionId, m.TimeToLive == TimeSpan.MaxValue ? null : m.TimeToLive, string.IsNullOrEmpty(m.ContentType) ? "application/json" : m.ContentType,
        new[] { "gemeentecode", "wijk", "team", "priority" }.Where(m.ApplicationProperties.ContainsKey)
            .ToDictionary(name => name, name => Convert.ToString(m.ApplicationProperties[name], CultureInfo.InvariantCulture) ?? "", StringComparer.Ordinal),
        m.Body.ToString());
}

/// <summary>What a re-drive did with a dead letter: <see cref="Sent"/> again and removed; or left in the queue as <see cref="Held"/> (first sent within
/// the duplicate detection window, at an unknown time, or of another gemeente), <see cref="Failed"/> (the topic refused it) or <see cref="SentNotRemoved"/>
/// (sent again, but its lock was lost before it could be removed).</summary>
public enum RedriveResult { Sent, Held, Failed, SentNotRemoved }

public sealed record RedriveOutcome(string MessageId, RedriveResult Result, string Detail);

/// <summary>A re-drive: per task what happened, and why it stopped early (null when it ran to the end).</summary>
public sealed record DeadLetterRedrive(string Subscription, IReadOnlyList<RedriveOutcome> Outcomes, string? StoppedBy);

/// <summary>A listing of dead letters, and why it stopped early (null when it read to the end or the maximum).</summary>
public sealed record DeadLetterListing(string Subscription, IReadOnlyList<DeadLetteredMessage> Messages, string? StoppedBy);

/// <summary>The dead-letter queue of the subscription on each gemeente's topic (<c>outreach-gm&lt;gemeentecode&gt;/tasks</c>) through a <see cref="ServiceBusReceiver"/> on <see cref="SubQueue.DeadLetter"/>.
/// Listing peeks (locks nothing) and needs <i>Azure Service Bus Data Receiver</i>; re-driving receives in PeekLock mode and resends through the transport,
/// so it also needs <i>Data Sender</i> on the topic.</summary>
public sealed class ServiceBusDeadLetters
{
    private static readonly TimeSpan SafetyMargin = TimeSpan.FromMinutes(5); // on top of the duplicate detection window: clocks differ, windows are rounded
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(5); // for one receive, before the queue counts as read to the end
    private readonly OpenDeadLetterReceiver _open;
    private readonly IOutreachTransport _topic;
    private readonly TimeProvider _time;
    private readonly ServiceBusTransportOptions _options;

    internal ServiceBusDeadLetters(OpenDeadLetterReceiver open, ServiceBusTransportOptions options, IOutreachTransport topic, TimeProvider time) =>
        (_open, _topic, _time, _options) = (open, topic, time, options);

    /// <summary>The gemeente's topic, as infra/modules/servicebus.bicep names it.</summary>
    public string TopicOf(string gemeentecode) => _options.TopicFor(gemeentecode);

    /// <summary>The subscription on the gemeente's topic, as infra/modules/servicebus.bicep names it.</summary>
    public string SubscriptionOf(string gemeentecode) => _options.TopicFor(gemeentecode) + "/subscriptions/" + _options.Subscription.Trim();

    private ServiceBusReceiver Open(string gemeentecode) => _open(_options.TopicFor(gemeentecode), _options.Subscription.Trim());

    /// <summary>Up to <paramref name="max"/> dead-lettered tasks, by sequence number, peeked: nothing is locked or changed.</summary>
    public async Task<DeadLetterListing> ListAsync(string gemeentecode, int max, CancellationToken cancellationToken)
    {
        var (messages, stoppedBy) = (new List<DeadLetteredMessage>(), (string?)null);
        var receiver = Open(gemeentecode);
        await using var closing = receiver.ConfigureAwait(false);
        try
        {
            for (long? from = null; messages.Count < max;)
            {
                // Only messages past the last page: a page served twice must end the loop, not repeat it.
                var page = (await receiver.PeekMessagesAsync(max - messages.Count, from, cancellationToken).ConfigureAwait(false))
                    .Where(m => from is null || m.SequenceNumber >= from).ToList();
                if (page.Count == 0) { break; }
                messages.AddRange(page.Select(DeadLetteredMessage.From));
                from = page.Max(m => m.SequenceNumber) + 1;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested) { stoppedBy = Why(ex); }
        return new DeadLetterListing(SubscriptionOf(gemeentecode), [.. messages.OrderBy(m => m.SequenceNumber)], stoppedBy);
    }

    /// <summary>Sends up to <paramref name="max"/> dead-lettered tasks to the topic again, with their own id and properties, and removes each only once the
    /// topic took it. Held back: one first sent within the duplicate detection window plus a margin or at an unknown time (the broker would drop the resend
    /// as a duplicate yet accept the send), and one of another gemeente (its resend would not come back here). A broker failure stops the run, with the reason.</summary>
    public async Task<DeadLetterRedrive> RedriveAsync(string gemeentecode, int max, CancellationToken cancellationToken)
    {
        var (outcomes, stoppedBy) = (new List<RedriveOutcome>(), (string?)null);
        var indexOf = new Dictionary<long, int>(); // sequence number → outcome
        var locked = new Dictionary<long, ServiceBusReceivedMessage>(); // not removed: locked until the end, so the next receive gets others
        var receiver = Open(gemeentecode);
        await using var closing = receiver.ConfigureAwait(false);
        try
        {
            // Each message is normally received once; a few come round again after a lost or expired lock.
            for (var receives = 0; outcomes.Count < max; receives++)
            {
                if (receives == (2 * max) + 10)
                {
                    stoppedBy = "locks kept expiring before the run got through the queue: run again with a smaller --max";
                    break;
                }

                if (await receiver.ReceiveMessagesAsync(1, ReceiveWait, cancellationToken).ConfigureAwait(false) is not [var message]) { break; }
                if (!indexOf.TryGetValue(message.SequenceNumber, out var index))
                {
                    indexOf[message.SequenceNumber] = index = outcomes.Count;
                    outcomes.Add(await ResendAsync(receiver, message, gemeentecode, cancellationToken).ConfigureAwait(false));
                }
                else if (outcomes[index].Result == RedriveResult.SentNotRemoved && await CompleteAsync(receiver, message).ConfigureAwait(false) is null)
                {
                    outcomes[index] = outcomes[index] with { Result = RedriveResult.Sent, Detail = "sent again to " + TopicOf(gemeentecode) + " (removed on a second try)" };
                }

                locked.Remove(message.SequenceNumber);
                if (outcomes[index].Result != RedriveResult.Sent) { locked[message.SequenceNumber] = message; }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested) { stoppedBy = Why(ex); }
        finally
        {
            foreach (var message in locked.Values) // a failed abandon is left be: the lock expires on its own
            {
                await Quietly(() => receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }
        }

        return new DeadLetterRedrive(SubscriptionOf(gemeentecode), outcomes, stoppedBy);
    }

    private async Task<RedriveOutcome> ResendAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, string gemeentecode, CancellationToken cancellationToken)
    {
        var task = DeadLetteredMessage.From(message);
        var code = task.ApplicationProperties.GetValueOrDefault("gemeentecode");
        var safeAfter = task.EnqueuedAt + _options.DuplicateDetectionWindow + SafetyMargin;
        var held = task switch
        {
            { MessageId.Length: 0 } => "it has no MessageId: the topic could not recognise a resend as a duplicate",
            _ when code != gemeentecode => $"its gemeentecode property is '{code ?? "(none)"}', not {gemeentecode}: a resend would go to that gemeente's topic, not back here",
            { EnqueuedAt: null } => "the broker did not say when it was first sent",
            _ when _time.GetUtcNow() < safeAfter =>
                string.Create(CultureInfo.InvariantCulture, $"first sent within the duplicate detection window; re-drive after {safeAfter:yyyy-MM-dd HH:mm:ss} UTC"),
            _ => null,
        };
        if (held is not null) { return new RedriveOutcome(task.MessageId, RedriveResult.Held, held); }
        var sent = (await _topic.PublishAsync([task.ToOutbound()], cancellationToken).ConfigureAwait(false))[0];
        if (sent.Status != PublishStatus.Sent) { return new RedriveOutcome(task.MessageId, RedriveResult.Failed, sent.Reason ?? sent.Status.ToString()); }

        // Sent: removed whatever happens to the caller now, or the next run sends it once more.
        return await CompleteAsync(receiver, message).ConfigureAwait(false) is { } failure
            ? new RedriveOutcome(task.MessageId, RedriveResult.SentNotRemoved, $"sent again, but still in the dead-letter queue: {failure}; a re-drive within the duplicate detection window is dropped by the topic and then removes it")
            : new RedriveOutcome(task.MessageId, RedriveResult.Sent, "sent again to " + TopicOf(gemeentecode));
    }

    private static Task<string?> CompleteAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message) =>
        Quietly(() => receiver.CompleteMessageAsync(message, CancellationToken.None));

    // Completes or abandons without the caller's token (a resent task must still be removed): null when done, otherwise why not.
    private static async Task<string?> Quietly(Func<Task> settle)
    {
        try { await settle().ConfigureAwait(false); }
        catch (Exception ex) when (ex is not OutOfMemoryException) { return Why(ex); }
        return null;
    }

    private static string Why(Exception ex) => ServiceBusTransport.Classify(ex, deadLetters: true).Reason;
}
