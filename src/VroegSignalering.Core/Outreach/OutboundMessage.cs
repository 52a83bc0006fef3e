namespace VroegSignalering.Core.Outreach;

/// <summary>
/// A message on its way to a broker, with the broker properties consumers filter and deduplicate on.
/// Transports map it onto their own envelope (a Service Bus message with its properties, or the
/// local topic's envelope).
/// </summary>
public sealed record OutboundMessage
{
    /// <summary>Deduplication key: the broker drops a resend with the same id (Service Bus duplicate detection).</summary>
    public required string MessageId { get; init; }

    /// <summary>The message type and version, e.g. <c>outreach-task.v1</c> (Service Bus Label/Subject).</summary>
    public required string Subject { get; init; }

    public string? CorrelationId { get; init; }

    /// <summary>Messages with the same session id are delivered in order (revisions of one case).</summary>
    public string? SessionId { get; init; }

    public TimeSpan? TimeToLive { get; init; }

    public string ContentType { get; init; } = "application/json";

    /// <summary>Properties subscriptions filter on (SQL filters), e.g. gemeentecode, team, priority.</summary>
    public IReadOnlyDictionary<string, string> ApplicationProperties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The body, UTF-8 JSON text.</summary>
    public required string Body { get; init; }
}

public enum PublishStatus
{
    /// <summary>The broker accepted the message.</summary>
    Sent,

    /// <summary>Retrying will not help until someone fixes the cause (no right to send, no topic, too large).</summary>
    FailedPermanently,

    /// <summary>Retries ran out on a transient failure (throttled, full, unreachable, timed out); try again later.</summary>
    FailedTransiently,
}

/// <summary>What became of one message of a publish call.</summary>
public sealed record PublishOutcome(string MessageId, PublishStatus Status, string? Reason = null);

/// <summary>Sends outbound messages to the broker. Splits into batches as its limits require.</summary>
public interface IOutreachTransport
{
    /// <summary>
    /// Publishes the messages and reports an outcome for every one of them, in input order.
    /// Throws only on cancellation; failures are outcomes.
    /// </summary>
    Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken);
}
