using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.ServiceBus;

/// <summary>Publishes each message to its gemeente's topic (<see cref="ServiceBusTransportOptions.TopicFor"/>, chosen by the <c>gemeentecode</c>
/// application property), in batches the SDK sizes to what the broker takes, at most <see cref="ServiceBusTransportOptions.MaxBatchMessages"/> each.
/// Every message gets one outcome, in input order; only cancellation throws. MessageId is the task id: with the topic's duplicate detection a resend is
/// harmless. One topic per gemeente means a gemeente's full or missing topic holds back only its own tasks, and no subscription ever sees another
/// gemeente's residents (ADR 0007).</summary>
public sealed partial class ServiceBusTransport : IOutreachTransport
{
    private readonly OpenTopicSender _senderFor;
    private readonly ServiceBusTransportOptions _options;
    private readonly ILogger _logger; // logs counts, reason codes and message ids only: bodies and property values hold personal data
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed; // tagged with the outcome and a failure code only: ids and properties can identify a household

    internal ServiceBusTransport(OpenTopicSender senderFor, ServiceBusTransportOptions options, IMeterFactory meters, ILogger<ServiceBusTransport> logger)
    {
        (_senderFor, _options, _logger) = (senderFor, options, logger);
        var meter = meters.Create(VroegTelemetry.Name);
        _sent = meter.CreateCounter<long>(VroegMetrics.PublishSent, "{message}", "Messages the broker accepted.");
        _failed = meter.CreateCounter<long>(VroegMetrics.PublishFailed, "{message}", "Messages not sent, by outcome and reason.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var outcomes = new PublishOutcome?[messages.Count]; // by input index: invalid, too large and skipped messages settle out of order
        var mapped = new ServiceBusMessage?[messages.Count];
        var topics = new string?[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            if ((mapped[i] = Map(messages[i], out var invalid)) is not null && (topics[i] = TopicOf(messages[i])) is not null) { continue; }
            invalid ??= "gemeentecode property (4 digits; it chooses the gemeente's topic)";
            mapped[i] = null;
            MessageInvalid(messages[i].MessageId, invalid);
            Settle([i], 0, 1, PublishStatus.FailedPermanently, "InvalidMessage", $"InvalidMessage (Service Bus does not accept its {invalid})");
        }

        // Per topic, in input order: a case's revisions share a gemeente, so their order holds; a failure stays within its gemeente.
        foreach (var group in Enumerable.Range(0, messages.Count).Where(i => topics[i] is not null).GroupBy(i => topics[i]!, StringComparer.Ordinal))
        {
            await PublishToTopicAsync(group.Key, [.. group]).ConfigureAwait(false);
        }

        // Every path above settles each message; the fallback keeps the contract should a future change miss one.
        return [.. outcomes.Select((o, i) => o ?? new PublishOutcome(messages[i].MessageId, PublishStatus.FailedTransiently, "not attempted"))];

        async Task PublishToTopicAsync(string topic, int[] indices)
        {
            for (var next = 0; next < indices.Length;)
            {
                // Until the batch is filled, a failure (the link cannot open: no connection, no right, no topic) concerns every message left.
                var (start, end) = (next, indices.Length);
                try
                {
                    using var batch = await _senderFor(topic).CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
                    for (; next < end && batch.Count < _options.MaxBatchMessages; next++)
                    {
                        var i = indices[next];
                        if (batch.TryAddMessage(mapped[i]!)) { continue; }
                        if (batch.Count > 0) { break; }

                        // An empty batch refuses only a message that can never go: it alone fails.
                        var bytes = Encoding.UTF8.GetByteCount(messages[i].Body);
                        MessageDoesNotFit(messages[i].MessageId, bytes, batch.MaxSizeInBytes);
                        Settle(indices, next, next + 1, PublishStatus.FailedPermanently, "MessageSizeExceeded", string.Create(CultureInfo.InvariantCulture,
                            $"MessageSizeExceeded (a {bytes}-byte body does not fit an empty batch of at most {batch.MaxSizeInBytes} bytes)"));
                    }

                    end = next;
                    if (batch.Count > 0)
                    {
                        await _senderFor(topic).SendMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
                        Settle(indices, start, end, PublishStatus.Sent);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // After a transient failure (throttled, full, out of reach) this topic's later batches would only burn the same retries and could
                    // overtake this one within a session: the outbox sweeper sends them later, in order. Other gemeenten's topics go on.
                    var failure = Classify(ex);
                    var failed = Settle(indices, start, end, failure.Transient ? PublishStatus.FailedTransiently : PublishStatus.FailedPermanently, failure.Code, failure.Reason);
                    var skipped = failure.Transient
                        ? Settle(indices, end, indices.Length, PublishStatus.FailedTransiently, "skipped", $"not sent: an earlier batch to its topic failed transiently ({failure.Reason})")
                        : 0;
                    if (failure.Transient) { BatchFailedTransiently(failed, failure.Code, skipped); }
                    else { BatchFailedPermanently(failed, failure.Code); }
                    next = failure.Transient ? indices.Length : end;
                }
            }
        }

        int Settle(int[] indices, int from, int to, PublishStatus status, string code = "", string? reason = null)
        {
            var unsettled = indices[from..to].Where(i => outcomes[i] is null).ToList();
            unsettled.ForEach(i => outcomes[i] = new PublishOutcome(messages[i].MessageId, status, reason));
            if (unsettled.Count > 0 && status == PublishStatus.Sent) { _sent.Add(unsettled.Count); }
            else if (unsettled.Count > 0) { _failed.Add(unsettled.Count, new("status", status.ToString()), new("reason_code", code)); }
            return unsettled.Count;
        }
    }

    // The gemeente's topic, or null when the message names no valid gemeente (the same rule as the local transport's queue per gemeente).
    private string? TopicOf(OutboundMessage message) =>
        message.ApplicationProperties.TryGetValue("gemeentecode", out var code) && code is { Length: 4 } && code.All(char.IsAsciiDigit) ? _options.TopicFor(code) : null;

    // What a failed call means: Code is a metric tag and the first word of Reason (the outbox derives its own tag from it); Reason goes into
    // the outbox row or the re-drive report, so it names cause and fix, never the broker's free text. Callers filter out their own cancellation.
    internal static ServiceBusFailure Classify(Exception exception, bool deadLetters = false) => exception switch
    {
        ServiceBusException { Reason: ServiceBusFailureReason.MessageSizeExceeded } => new(false, "MessageSizeExceeded", "Service Bus refused the message as too large for the topic"),
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound } =>
            new(false, "MessagingEntityNotFound", deadLetters ? "the gemeente's topic or its subscription does not exist" : "the gemeente's topic does not exist: add the gemeente to gemeenteCodes and provision"),
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityDisabled } => new(false, "MessagingEntityDisabled", $"the {(deadLetters ? "subscription" : "topic")} is disabled; enable it"),
        ServiceBusException { Reason: ServiceBusFailureReason.MessageLockLost } => new(false, "MessageLockLost", "its lock was lost"),
        ServiceBusException { Reason: ServiceBusFailureReason.ServiceBusy } => new(true, "ServiceBusy", "Service Bus is throttling; the client's retries ran out"),
        ServiceBusException { Reason: ServiceBusFailureReason.QuotaExceeded } => new(true, "QuotaExceeded", "the gemeente's topic is full or a namespace quota was reached; its consumers must drain their subscription"),
        ServiceBusException { Reason: ServiceBusFailureReason.ServiceTimeout } => new(true, "ServiceTimeout", "Service Bus did not answer in time; the client's retries ran out"),
        ServiceBusException { Reason: ServiceBusFailureReason.ServiceCommunicationProblem } => new(true, "ServiceCommunicationProblem", "could not reach Service Bus; the client's retries ran out"),
        ServiceBusException { IsTransient: true } e => new(true, e.Reason.ToString(), "Service Bus failed transiently; the client's retries ran out"),
        ServiceBusException e => new(false, e.Reason.ToString(), deadLetters ? "Service Bus refused" : "Service Bus refused the send"), // retrying will not help: an operator looks
        UnauthorizedAccessException => new(false, "Unauthorized", $"the identity needs Azure Service Bus {(deadLetters ? "Data Receiver on the subscription and " : "")}Data Sender on the gemeente's topic"),

        // Getting a token failed (managed identity endpoint down, or no identity yet): the next sweep may get one.
        AuthenticationFailedException or CredentialUnavailableException => new(true, "Authentication", $"could not get a token for Service Bus ({exception.GetType().Name})"),
        TimeoutException or OperationCanceledException => new(true, "Timeout", "timed out waiting for Service Bus"),
        _ => new(true, "Error", $"unexpected failure ({exception.GetType().Name})"),
    };

    // The SDK checks ids (at most 128 characters) and the TTL (positive) as they are set, and its exception does not say which: each property
    // is set on its own, to name it (never its value). Null when Service Bus would not take the message.
    private static ServiceBusMessage? Map(OutboundMessage source, out string? invalid)
    {
        var message = new ServiceBusMessage(BinaryData.FromString(source.Body));
        invalid = Set("MessageId", () => message.MessageId = source.MessageId)
            ?? Set("Subject", () => message.Subject = source.Subject)
            ?? Set("ContentType", () => message.ContentType = source.ContentType)
            ?? Set("SessionId", () => message.SessionId = source.SessionId)
            ?? Set("CorrelationId", () => message.CorrelationId = source.CorrelationId)
            ?? (source.TimeToLive is { } ttl ? Set("TimeToLive", () => message.TimeToLive = ttl) : null);
        source.ApplicationProperties.ToList().ForEach(p => message.ApplicationProperties[p.Key] = p.Value); // strings, as the subscriptions' SQL filters compare them
        return invalid is null ? message : null;

        static string? Set(string property, Action set)
        {
            try { set(); }
            catch (ArgumentException) { return property; }
            return null;
        }
    }

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "Service Bus rejected a batch of {Count} messages permanently: {ReasonCode}")]
    private partial void BatchFailedPermanently(int count, string reasonCode);
    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Service Bus did not take a batch of {Count} messages: {ReasonCode}; they and {Skipped} later ones are left for the next dispatch")]
    private partial void BatchFailedTransiently(int count, string reasonCode, int skipped);
    [LoggerMessage(EventId = 4113, Level = LogLevel.Warning, Message = "Message {MessageId} ({BodyBytes}-byte body) does not fit an empty batch of at most {Limit} bytes; not sent")]
    private partial void MessageDoesNotFit(string messageId, int bodyBytes, long limit);
    [LoggerMessage(EventId = 4114, Level = LogLevel.Error, Message = "Message {MessageId} has a {Property} Service Bus does not accept; not sent")]
    private partial void MessageInvalid(string messageId, string property);
}

internal sealed record ServiceBusFailure(bool Transient, string Code, string Text)
{
    public string Reason => $"{Code} ({Text})";
}
