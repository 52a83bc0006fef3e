using System.Globalization;
using System.Net;
using System.Text.Json;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.ServiceBus;

/// <summary>
/// A message in a subscription's dead-letter queue, locked for this reader. <see cref="Body"/> holds the
/// task with contact details: never print or log it.
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
    /// <summary>Where the lock lives: DELETE completes the message, PUT unlocks it.</summary>
    internal Uri LockUri { get; init; } = null!;

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
}

/// <summary>What a re-drive did with one dead-lettered message.</summary>
public enum RedriveResult
{
    /// <summary>Sent to the topic again and removed from the dead-letter queue.</summary>
    Sent,

    /// <summary>Left in the dead-letter queue: first sent within the duplicate detection window (or when is unknown).</summary>
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
/// The dead-letter queues of the outreach topic's subscriptions, through the Service Bus REST API:
/// Peek-Lock (<c>POST …/subscriptions/{name}/$DeadLetterQueue/messages/head</c>, 201 with the message or
/// 204 when empty), Unlock (<c>PUT</c> on the lock URI) and Delete (<c>DELETE</c> on it). Same
/// authorization and resilient HttpClient as the publisher; reading needs the Listen right
/// (<i>Azure Service Bus Data Receiver</i>).
/// </summary>
public sealed class ServiceBusDeadLetters
{
    /// <summary>The application properties the outreach contract sets; only these are carried over on a re-drive.</summary>
    public static readonly IReadOnlyList<string> ContractProperties = ["gemeentecode", "wijk", "team", "priority"];

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ServiceBusTarget _target;
    private readonly ServiceBusAuthorization _authorization;
    private readonly IOutreachTransport _topic;
    private readonly TimeProvider _time;

    internal ServiceBusDeadLetters(
        IHttpClientFactory httpClientFactory, ServiceBusTarget target, ServiceBusTransportOptions options, ServiceBusAuthorization authorization,
        IOutreachTransport topic, TimeProvider time)
    {
        _httpClientFactory = httpClientFactory;
        _target = target;
        _authorization = authorization;
        _topic = topic;
        _time = time;
        DuplicateDetectionWindow = options.DuplicateDetectionWindow;
    }

    /// <summary>The topic's duplicate detection window: a re-sent id within it would be dropped by the broker.</summary>
    public TimeSpan DuplicateDetectionWindow { get; }

    public string Topic => _target.Topic;

    /// <summary>The gemeente's subscription, as infra/modules/servicebus.bicep names it.</summary>
    public static string SubscriptionOf(string gemeentecode) => "gm" + gemeentecode;

    /// <summary>
    /// Up to <paramref name="max"/> dead-lettered tasks of a gemeente's subscription, each locked to read it and
    /// unlocked again. Reading stops early (with the reason) when the broker fails, or when a message comes round
    /// a second time because its lock expired during a long listing.
    /// </summary>
    public async Task<DeadLetterListing> ListAsync(string gemeentecode, int max, CancellationToken cancellationToken)
    {
        var subscription = SubscriptionOf(gemeentecode);
        var locked = new List<DeadLetteredMessage>();
        string? stoppedBy = null;
        try
        {
            for (var locks = 0; locked.Count < max; locks++)
            {
                if (locks >= LockBudget(max))
                {
                    stoppedBy = LocksKeptExpiring;
                    break;
                }

                if (await LockNextAsync(subscription, cancellationToken).ConfigureAwait(false) is not { } message)
                {
                    break;
                }

                // A message seen before came round because its first lock expired: keep the new lock instead.
                locked.RemoveAll(m => m.SequenceNumber == message.SequenceNumber);
                locked.Add(message);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            stoppedBy = Describe(ex);
        }
        finally
        {
            foreach (var message in locked)
            {
                await UnlockQuietlyAsync(message).ConfigureAwait(false);
            }
        }

        locked.Sort((a, b) => a.SequenceNumber.CompareTo(b.SequenceNumber));
        return new DeadLetterListing(subscription, locked, stoppedBy);
    }

    /// <summary>
    /// Sends up to <paramref name="max"/> dead-lettered tasks of a gemeente's subscription to the topic again, with
    /// their own id and properties, and removes each from the dead-letter queue only once the topic accepted it.
    /// Held back, and left in the dead-letter queue: a task first sent within the duplicate detection window plus
    /// <see cref="SafetyMargin"/> (the broker would drop the resend as a duplicate and still answer 201, so
    /// removing it would lose the task), and a task whose gemeentecode is not this gemeente's (its resend would
    /// not come back to this subscription). A task the topic refuses stays too. A broker failure stops the run
    /// with the reason; what was done until then is reported.
    /// </summary>
    public async Task<DeadLetterRedrive> RedriveAsync(string gemeentecode, int max, CancellationToken cancellationToken)
    {
        var subscription = SubscriptionOf(gemeentecode);
        var outcomes = new List<RedriveOutcome>();
        var outcomeOf = new Dictionary<long, int>();
        var held = new List<DeadLetteredMessage>();
        var now = _time.GetUtcNow();
        string? stoppedBy = null;
        try
        {
            for (var locks = 0; outcomes.Count < max; locks++)
            {
                if (locks >= LockBudget(max))
                {
                    stoppedBy = LocksKeptExpiring;
                    break;
                }

                if (await LockNextAsync(subscription, cancellationToken).ConfigureAwait(false) is not { } message)
                {
                    break;
                }

                if (outcomeOf.TryGetValue(message.SequenceNumber, out var seen))
                {
                    // Came round again: its lock expired (held too long) or was lost while removing it after the resend.
                    held.RemoveAll(m => m.SequenceNumber == message.SequenceNumber);
                    if (outcomes[seen].Result == RedriveResult.SentNotRemoved && await TryCompleteAsync(message) is null)
                    {
                        outcomes[seen] = outcomes[seen] with { Result = RedriveResult.Sent, Detail = "sent again to " + _target.Topic + " (removed on a second try)" };
                    }
                    else
                    {
                        held.Add(message); // keep it locked, so the next head is another message
                    }

                    continue;
                }

                outcomeOf[message.SequenceNumber] = outcomes.Count;
                if (HoldReason(message, gemeentecode, now) is { } reason)
                {
                    held.Add(message);
                    outcomes.Add(new RedriveOutcome(message.MessageId, RedriveResult.Held, reason));
                    continue;
                }

                var sent = (await _topic.PublishAsync([message.ToOutbound()], cancellationToken).ConfigureAwait(false))[0];
                if (sent.Status != PublishStatus.Sent)
                {
                    held.Add(message);
                    outcomes.Add(new RedriveOutcome(message.MessageId, RedriveResult.Failed, sent.Reason ?? sent.Status.ToString()));
                    continue;
                }

                // Sent: remove it whatever happens to the caller now, or the next run sends it once more.
                outcomes.Add(await TryCompleteAsync(message) is { } failure
                    ? new RedriveOutcome(message.MessageId, RedriveResult.SentNotRemoved,
                        "sent again, but still in the dead-letter queue (" + failure + "); a later re-drive is dropped by the topic as a duplicate and then removes it")
                    : new RedriveOutcome(message.MessageId, RedriveResult.Sent, "sent again to " + _target.Topic));
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
                await UnlockQuietlyAsync(message).ConfigureAwait(false);
            }
        }

        return new DeadLetterRedrive(subscription, outcomes, stoppedBy);
    }

    /// <summary>Extra time on top of the duplicate detection window before a re-drive: clocks differ, windows are rounded.</summary>
    public static readonly TimeSpan SafetyMargin = TimeSpan.FromMinutes(5);

    private const string LocksKeptExpiring = "locks kept expiring before the run got through the queue: run again with a smaller --max";

    // Each message is normally locked once; a few come round again after a lost or expired lock.
    private static int LockBudget(int max) => (2 * max) + 10;

    // Null when removed; otherwise why not.
    private async Task<string?> TryCompleteAsync(DeadLetteredMessage message)
    {
        try
        {
            await CompleteAsync(message, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Describe(ex);
        }
    }

    private string? HoldReason(DeadLetteredMessage message, string gemeentecode, DateTimeOffset now)
    {
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

    private async Task UnlockQuietlyAsync(DeadLetteredMessage message)
    {
        try
        {
            await UnlockAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // the lock expires on its own (the subscription's lock duration)
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        HttpRequestException or InvalidOperationException => ex.Message,
        _ => "the broker did not answer in time or failed repeatedly (" + ex.GetType().Name + ")",
    };

    /// <summary>Locks and returns the next dead-lettered message of a subscription, or null when there is none.</summary>
    public async Task<DeadLetteredMessage?> LockNextAsync(string subscription, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, _target.Under(DeadLetterPath(subscription) + "head?timeout=5"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        Ensure(response, "lock the next dead-lettered message of subscription " + subscription);
        try
        {
            return await ReadLockedAsync(response, subscription, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // Locked but unreadable: give it back at once rather than leave it locked.
            if (TrustedLocation(response) is { } location)
            {
                using var unlocked = await SendAsync(HttpMethod.Put, location, CancellationToken.None).ConfigureAwait(false);
            }

            throw new InvalidOperationException("the broker returned a dead-lettered message this tool cannot read: " + ex.Message, ex);
        }
    }

    // The lock URI only when it points at the namespace this tool talks to: the token is sent there.
    private Uri? TrustedLocation(HttpResponseMessage response) =>
        response.Headers.Location is { IsAbsoluteUri: true } location && string.Equals(location.Authority, _target.TopicUri.Authority, StringComparison.OrdinalIgnoreCase)
            ? location
            : null;

    private async Task<DeadLetteredMessage> ReadLockedAsync(HttpResponseMessage response, string subscription, CancellationToken cancellationToken)
    {
        using var brokerProperties = JsonDocument.Parse(Header(response, "BrokerProperties") ?? "{}");
        var broker = brokerProperties.RootElement;
        var messageId = String(broker, "MessageId") ?? throw new InvalidOperationException("the dead-lettered message has no MessageId");
        var lockToken = String(broker, "LockToken") ?? throw new InvalidOperationException("the dead-lettered message has no LockToken");
        var lockUri = TrustedLocation(response)
            ?? _target.Under($"{DeadLetterPath(subscription)}{Uri.EscapeDataString(messageId)}/{Uri.EscapeDataString(lockToken)}");
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ContractProperties)
        {
            if (Header(response, name) is { } value)
            {
                properties[name] = Unquote(value);
            }
        }

        return new DeadLetteredMessage(
            messageId,
            broker.TryGetProperty("SequenceNumber", out var seq) && seq.TryGetInt64(out var sequence) ? sequence : 0,
            String(broker, "EnqueuedTimeUtc") is { } enqueued && DateTimeOffset.TryParse(enqueued, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            broker.TryGetProperty("DeliveryCount", out var dc) && dc.TryGetInt32(out var deliveries) ? deliveries : 0,
            Header(response, "DeadLetterReason") is { } reason ? Unquote(reason) : null,
            Header(response, "DeadLetterErrorDescription") is { } description ? Unquote(description) : null,
            String(broker, "Label"),
            String(broker, "CorrelationId"),
            String(broker, "SessionId"),
            broker.TryGetProperty("TimeToLive", out var ttl) && ttl.TryGetDouble(out var seconds) && seconds < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null,
            response.Content.Headers.ContentType?.ToString() ?? "application/json",
            properties,
            await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))
        {
            LockUri = lockUri,
        };
    }

    /// <summary>Gives the message back to the dead-letter queue (for listing, or after a failed re-drive).</summary>
    public async Task UnlockAsync(DeadLetteredMessage message, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, message.LockUri, cancellationToken).ConfigureAwait(false);
        Ensure(response, "unlock dead-lettered message " + message.MessageId);
    }

    /// <summary>Removes the message from the dead-letter queue (after it was sent again).</summary>
    public async Task CompleteAsync(DeadLetteredMessage message, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, message.LockUri, cancellationToken).ConfigureAwait(false);
        Ensure(response, "remove dead-lettered message " + message.MessageId);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, CancellationToken cancellationToken)
    {
        var client = _httpClientFactory.CreateClient(ServiceBusRestTransport.HttpClientName);
        var (response, _) = await _authorization.SendRefreshingOnceAsync(
            async header =>
            {
                using var request = new HttpRequestMessage(method, uri) { Content = new ByteArrayContent([]) };
                request.Headers.TryAddWithoutValidation("Authorization", header);
                return await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            },
            r => r.StatusCode == HttpStatusCode.Unauthorized,
            () => { },
            cancellationToken).ConfigureAwait(false);
        return response;
    }

    private static void Ensure(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var code = (int)response.StatusCode;
            var hint = code switch
            {
                401 or 403 => ": the identity needs the Listen right (Azure Service Bus Data Receiver) and Send (Data Sender) on the topic",
                404 => ": the lock expired or the message is gone",
                410 => ": the topic or subscription does not exist",
                _ => "",
            };
            throw new HttpRequestException($"could not {what}: HTTP {code} {response.StatusCode}{hint}", null, response.StatusCode);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    // Custom properties come back as headers, strings in JSON quotes.
    private static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value;
        }

        using var quoted = JsonDocument.Parse(value);
        return quoted.RootElement.GetString() ?? value;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string DeadLetterPath(string subscription) => $"subscriptions/{Uri.EscapeDataString(subscription)}/$DeadLetterQueue/messages/";
}
