using System.Globalization;
using System.Text;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.ServiceBus;

/// <summary>
/// Publishes outbound messages to the Service Bus topic with a <see cref="ServiceBusSender"/>, in
/// <see cref="ServiceBusMessageBatch"/>es the SDK sizes to what the broker accepts, at most
/// <see cref="ServiceBusTransportOptions.MaxBatchMessages"/> each. Every message gets exactly one outcome,
/// in input order; only cancellation throws. MessageId equals the task id, so with duplicate detection on
/// the topic a resend after an ambiguous failure is harmless.
/// </summary>
public sealed class ServiceBusTransport : IOutreachTransport
{
    private readonly ServiceBusSender _sender;
    private readonly int _maxBatchMessages;
    private readonly ServiceBusMetrics _metrics;
    private readonly ILogger _logger;

    internal ServiceBusTransport(ServiceBusSender sender, ServiceBusTransportOptions options, ServiceBusMetrics metrics, ILogger<ServiceBusTransport> logger)
    {
        _sender = sender;
        _maxBatchMessages = options.MaxBatchMessages;
        _metrics = metrics;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (messages.Count == 0)
        {
            return [];
        }

        var run = new PublishRun(messages, _metrics);
        var mapped = new ServiceBusMessage?[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            if (TryMap(messages[i], out var message, out var invalid))
            {
                mapped[i] = message;
            }
            else
            {
                ServiceBusLog.MessageInvalid(_logger, messages[i].MessageId, invalid);
                run.Fail([i], PublishStatus.FailedPermanently, $"InvalidMessage (Service Bus does not accept its {invalid})", "InvalidMessage");
            }
        }

        var next = 0;
        while (next < mapped.Length)
        {
            ServiceBusMessageBatch batch;
            try
            {
                batch = await _sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!IsCallerCancellation(ex, cancellationToken))
            {
                // Opening the link failed (no connection, no right, no topic): nothing from here on can go.
                var failure = ServiceBusFailure.Classify(ex);
                var rest = run.Unsettled(next);
                Log(failure, rest.Count);
                run.Fail(rest, failure.Transient ? PublishStatus.FailedTransiently : PublishStatus.FailedPermanently, failure.Reason, failure.Code);
                break;
            }

            using (batch)
            {
                var members = new List<int>(Math.Min(_maxBatchMessages, mapped.Length - next));
                for (; next < mapped.Length && members.Count < _maxBatchMessages; next++)
                {
                    if (mapped[next] is not { } message)
                    {
                        continue;
                    }

                    if (batch.TryAddMessage(message))
                    {
                        members.Add(next);
                    }
                    else if (members.Count == 0)
                    {
                        // An empty batch refuses only a message that can never go: it alone fails.
                        var bodyBytes = Encoding.UTF8.GetByteCount(messages[next].Body);
                        ServiceBusLog.MessageDoesNotFit(_logger, messages[next].MessageId, bodyBytes, batch.MaxSizeInBytes);
                        run.Fail([next], PublishStatus.FailedPermanently, string.Create(CultureInfo.InvariantCulture,
                            $"MessageSizeExceeded (a {bodyBytes}-byte body does not fit an empty batch of at most {batch.MaxSizeInBytes} bytes)"), "MessageSizeExceeded");
                    }
                    else
                    {
                        break;
                    }
                }

                if (members.Count == 0)
                {
                    continue;
                }

                if (await SendAsync(batch, members, run, cancellationToken).ConfigureAwait(false) is { } transient)
                {
                    // The broker is throttling or out of reach: later batches would only burn the same retries and
                    // could overtake this one within a session. The outbox sweeper sends them later, in order.
                    var rest = run.Unsettled(next);
                    if (rest.Count > 0)
                    {
                        ServiceBusLog.SkippedAfterTransientFailure(_logger, rest.Count, transient.Code);
                        run.Fail(rest, PublishStatus.FailedTransiently, $"not sent: an earlier batch failed transiently ({transient.Reason})", "skipped");
                    }

                    break;
                }
            }
        }

        return run.Complete(_logger);
    }

    // Returns the failure when the batch failed transiently, so the caller holds back the rest.
    private async Task<ServiceBusFailure?> SendAsync(ServiceBusMessageBatch batch, List<int> members, PublishRun run, CancellationToken cancellationToken)
    {
        run.Batches++;
        try
        {
            await _sender.SendMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCallerCancellation(ex, cancellationToken))
        {
            var failure = ServiceBusFailure.Classify(ex);
            Log(failure, members.Count);
            run.Fail(members, failure.Transient ? PublishStatus.FailedTransiently : PublishStatus.FailedPermanently, failure.Reason, failure.Code);
            return failure.Transient ? failure : null;
        }

        ServiceBusLog.BatchAccepted(_logger, members.Count, batch.SizeInBytes);
        run.Succeed(members);
        return null;
    }

    private void Log(ServiceBusFailure failure, int count)
    {
        if (failure.Transient)
        {
            ServiceBusLog.BatchFailedTransiently(_logger, count, failure.Code);
        }
        else
        {
            ServiceBusLog.BatchFailedPermanently(_logger, count, failure.Code);
        }
    }

    private static bool IsCallerCancellation(Exception ex, CancellationToken cancellationToken) =>
        ex is OperationCanceledException && cancellationToken.IsCancellationRequested;

    // The SDK checks each property as it is set (ids of at most 128 characters, a positive TTL); the
    // setter's exception names only "value", so the property is named here. Values are never quoted.
    private static bool TryMap(OutboundMessage source, out ServiceBusMessage message, out string invalid)
    {
        message = new ServiceBusMessage(BinaryData.FromString(source.Body));
        var target = message;
        invalid = "";
        if (!TrySet("MessageId", () => target.MessageId = source.MessageId, ref invalid)
            || !TrySet("Subject", () => target.Subject = source.Subject, ref invalid)
            || !TrySet("ContentType", () => target.ContentType = source.ContentType, ref invalid)
            || (source.SessionId is { } session && !TrySet("SessionId", () => target.SessionId = session, ref invalid))
            || (source.CorrelationId is { } correlation && !TrySet("CorrelationId", () => target.CorrelationId = correlation, ref invalid))
            || (source.TimeToLive is { } ttl && !TrySet("TimeToLive", () => target.TimeToLive = ttl, ref invalid)))
        {
            return false;
        }

        foreach (var (name, value) in source.ApplicationProperties)
        {
            // Strings, as the subscriptions' SQL filters compare them (gemeentecode = '0363').
            message.ApplicationProperties[name] = value;
        }

        return true;
    }

    private static bool TrySet(string property, Action set, ref string invalid)
    {
        try
        {
            set();
            return true;
        }
        catch (ArgumentException)
        {
            invalid = property;
            return false;
        }
    }

    // Collects outcomes by input index, because invalid, too large and skipped messages settle out of order.
    private sealed class PublishRun(IReadOnlyList<OutboundMessage> messages, ServiceBusMetrics metrics)
    {
        private readonly PublishOutcome?[] _outcomes = new PublishOutcome?[messages.Count];
        private int _sent;
        private int _failedPermanently;
        private int _failedTransiently;

        public int Batches { get; set; }

        public List<int> Unsettled(int from)
        {
            var rest = new List<int>();
            for (var i = from; i < _outcomes.Length; i++)
            {
                if (_outcomes[i] is null)
                {
                    rest.Add(i);
                }
            }

            return rest;
        }

        public void Succeed(List<int> batch)
        {
            foreach (var i in batch)
            {
                _outcomes[i] = new PublishOutcome(messages[i].MessageId, PublishStatus.Sent);
            }

            _sent += batch.Count;
            metrics.Sent(batch.Count);
        }

        public void Fail(List<int> batch, PublishStatus status, string reason, string reasonCode)
        {
            foreach (var i in batch)
            {
                _outcomes[i] = new PublishOutcome(messages[i].MessageId, status, reason);
            }

            if (status == PublishStatus.FailedPermanently)
            {
                _failedPermanently += batch.Count;
            }
            else
            {
                _failedTransiently += batch.Count;
            }

            metrics.Failed(batch.Count, status, reasonCode);
        }

        public IReadOnlyList<PublishOutcome> Complete(ILogger logger)
        {
            ServiceBusLog.Published(logger, messages.Count, Batches, _sent, _failedPermanently, _failedTransiently);
            var result = new PublishOutcome[_outcomes.Length];
            for (var i = 0; i < result.Length; i++)
            {
                // Every path above assigns an outcome; the fallback keeps the contract if a future change misses one.
                result[i] = _outcomes[i] ?? new PublishOutcome(messages[i].MessageId, PublishStatus.FailedTransiently, "not attempted");
            }

            return result;
        }
    }
}
