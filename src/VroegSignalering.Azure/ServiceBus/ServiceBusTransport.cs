using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.ServiceBus;

/// <summary>
/// Publishes to the Service Bus topic in <see cref="ServiceBusMessageBatch"/>es the SDK sizes to what the broker accepts, at most <see cref="ServiceBusTransportOptions.MaxBatchMessages"/>
/// each. Every message gets one outcome, in input order; only cancellation throws. MessageId is the task id, so with duplicate detection on the
/// topic a resend after an ambiguous failure is harmless.
/// </summary>
public sealed partial class ServiceBusTransport : IOutreachTransport
{
    internal const string SentCounterName = "vroeg.dispatch.publish.sent";
    internal const string FailedCounterName = "vroeg.dispatch.publish.failed";
    private readonly ServiceBusSender _sender;
    private readonly int _maxBatchMessages;
    private readonly ILogger _logger; // logs counts, reason codes and message ids only: bodies and property values hold personal data
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed; // tagged with the outcome and a failure code only: ids and properties can identify a household

    internal ServiceBusTransport(ServiceBusSender sender, ServiceBusTransportOptions options, IMeterFactory meters, ILogger<ServiceBusTransport> logger)
    {
        (_sender, _maxBatchMessages, _logger) = (sender, options.MaxBatchMessages, logger);
        _sent = meters.Create(VroegTelemetry.Name).CreateCounter<long>(SentCounterName, "{message}", "Messages the broker accepted.");
        _failed = meters.Create(VroegTelemetry.Name).CreateCounter<long>(FailedCounterName, "{message}", "Messages not sent, by outcome and reason.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var outcomes = new PublishOutcome?[messages.Count]; // by input index: invalid, too large and skipped messages settle out of order
        var mapped = new ServiceBusMessage?[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            if ((mapped[i] = Map(messages[i], out var invalid)) is not null) { continue; }
            MessageInvalid(messages[i].MessageId, invalid!);
            Settle(i, i + 1, PublishStatus.FailedPermanently, "InvalidMessage", $"InvalidMessage (Service Bus does not accept its {invalid})");
        }

        for (var next = 0; next < messages.Count;)
        {
            // Until the batch is filled, a failure (the link cannot open: no connection, no right, no topic) concerns every message left.
            var (start, end) = (next, messages.Count);
            try
            {
                // Skips invalid messages and stops at the first that does not fit, unless the batch is empty: that one can never go.
                using var batch = await _sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
                for (; next < end && batch.Count < _maxBatchMessages && (mapped[next] is not { } message || batch.TryAddMessage(message) || batch.Count == 0); next++)
                {
                    if (mapped[next] is not null && batch.Count == 0)
                    {
                        var bytes = Encoding.UTF8.GetByteCount(messages[next].Body);
                        MessageDoesNotFit(messages[next].MessageId, bytes, batch.MaxSizeInBytes);
                        Settle(next, next + 1, PublishStatus.FailedPermanently, "MessageSizeExceeded", string.Create(CultureInfo.InvariantCulture, $"MessageSizeExceeded (a {bytes}-byte body does not fit an empty batch of at most {batch.MaxSizeInBytes} bytes)"));
                    }
                }

                end = next;
                if (batch.Count > 0)
                {
                    await _sender.SendMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
                    Settle(start, end, PublishStatus.Sent);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var failure = Classify(ex);
                var failed = Settle(start, end, failure.Transient ? PublishStatus.FailedTransiently : PublishStatus.FailedPermanently, failure.Code, failure.Reason);
                next = end;
                if (!failure.Transient)
                {
                    BatchFailedPermanently(failed, failure.Code);
                    continue;
                }

                // Throttled or out of reach: later batches would only burn the same retries and could overtake this one within a session.
                // The outbox sweeper sends them later, in order.
                var skipped = Settle(end, messages.Count, PublishStatus.FailedTransiently, "skipped", $"not sent: an earlier batch failed transiently ({failure.Reason})");
                BatchFailedTransiently(failed, failure.Code, skipped);
                break;
            }
        }

        // Every path above settles each message; the fallback keeps the contract should a future change miss one.
        return [.. outcomes.Select((o, i) => o ?? new PublishOutcome(messages[i].MessageId, PublishStatus.FailedTransiently, "not attempted"))];

        int Settle(int from, int to, PublishStatus status, string code = "", string? reason = null)
        {
            var unsettled = Enumerable.Range(from, to - from).Where(i => outcomes[i] is null).ToList();
            unsettled.ForEach(i => outcomes[i] = new PublishOutcome(messages[i].MessageId, status, reason));
            if (unsettled.Count > 0 && status == PublishStatus.Sent) { _sent.Add(unsettled.Count); }
            else if (unsettled.Count > 0) { _failed.Add(unsettled.Count, new("status", status.ToString()), new("reason_code", code)); }
            return unsettled.Count;
        }
    }

    // What a failed call means for the messages it carried. Code is a metric tag and the first word of Reason (the outbox derives its own tag
    // from it); Reason goes into the outbox row: it names cause and fix, never the broker's free text. Callers filter out their own cancellation.
    internal static ServiceBusFailure Classify(Exception exception) => exception switch
    {
        ServiceBusException { Reason: ServiceBusFailureReason.MessageSizeExceeded } => new(false, "MessageSizeExceeded", "Service Bus refused the message as too large for the topic"),
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound } => new(false, "MessagingEntityNotFound", "the topic does not exist; redeploy the infrastructure"),
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityDisabled } => new(false, "MessagingEntityDisabled", "the topic is disabled; enable it"),
        ServiceBusException { Reason: ServiceBusFailureReason.ServiceBusy } => new(true, "ServiceBusy", "Service Bus is throttling; the client's retries ran out"),
        ServiceBusException { Reason: ServiceBusFailureReason.QuotaExceeded } => new(true, "QuotaExceeded", "the topic is full or a namespace quota was reached; consumers must drain their subscriptions"),
        ServiceBusException { Reason: ServiceBusFailureReason.ServiceTimeout } => new(true, "ServiceTimeout", "Service Bus did not answer in time; the client's retries ran out"),
        ServiceBusException { Reason: ServiceBusFailureReason.ServiceCommunicationProblem } => new(true, "ServiceCommunicationProblem", "could not reach Service Bus; the client's retries ran out"),
        ServiceBusException { IsTransient: true } e => new(true, e.Reason.ToString(), "Service Bus failed transiently; the client's retries ran out"),
        ServiceBusException e => new(false, e.Reason.ToString(), "Service Bus refused the send"), // the SDK says retrying will not help: an operator looks
        UnauthorizedAccessException => new(false, "Unauthorized", "the identity needs Azure Service Bus Data Sender on the topic"),

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
