using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.ServiceBus;

/// <summary>
/// Publishes outbound messages to a Service Bus topic through the REST API (Send Message Batch), in
/// batches within the broker's count and size limits. Every message gets exactly one outcome, in input
/// order; only cancellation throws. MessageId equals the task id, so with duplicate detection on the
/// topic a resend after an ambiguous failure is harmless.
/// </summary>
public sealed class ServiceBusRestTransport : IOutreachTransport
{
    /// <summary>
    /// Service key of the <see cref="Azure.Core.TokenCredential"/> used for Microsoft Entra ID; register
    /// another keyed singleton under it to replace the managed identity / DefaultAzureCredential.
    /// </summary>
    public const string CredentialServiceKey = "VroegSignalering.ServiceBus";

    internal const string HttpClientName = "VroegSignalering.ServiceBus";
    private const int MaxErrorBodyChars = 4096;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ServiceBusTarget _target;
    private readonly int _maxBatchBytes;
    private readonly int _maxBatchMessages;
    private readonly ServiceBusAuthorization _authorization;
    private readonly ServiceBusMetrics _metrics;
    private readonly ILogger _logger;

    internal ServiceBusRestTransport(
        IHttpClientFactory httpClientFactory,
        ServiceBusTarget target,
        ServiceBusTransportOptions options,
        ServiceBusAuthorization authorization,
        ServiceBusMetrics metrics,
        ILogger<ServiceBusRestTransport> logger)
    {
        _httpClientFactory = httpClientFactory;
        _target = target;
        _maxBatchBytes = options.MaxBatchBytes;
        _maxBatchMessages = options.MaxBatchMessages;
        _authorization = authorization;
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

        var run = new PublishRun(messages.Count, _metrics);
        var sendable = new List<EncodedMessage>(messages.Count);
        foreach (var message in ServiceBusMessageEncoder.Encode(messages))
        {
            if (message.AloneBytes > _maxBatchBytes)
            {
                ServiceBusLog.MessageTooLarge(_logger, message.MessageId, message.AloneBytes, _maxBatchBytes);
                run.Fail([message], PublishStatus.FailedPermanently,
                    string.Create(CultureInfo.InvariantCulture, $"message too large ({message.AloneBytes} bytes > {_maxBatchBytes})"), "too_large");
            }
            else
            {
                sendable.Add(message);
            }
        }

        var client = _httpClientFactory.CreateClient(HttpClientName);
        var all = sendable.ToArray();
        var start = 0;
        while (start < all.Length)
        {
            var batch = new ReadOnlyMemory<EncodedMessage>(all, start, NextBatchLength(all.AsSpan(start)));
            start += batch.Length;
            var transient = await SendAsync(client, batch, run, cancellationToken).ConfigureAwait(false);
            if (transient is not null)
            {
                // The broker is throttling or down: later batches would only burn the same retry budget and
                // could overtake this one within a session. The outbox sweeper sends them later, in order.
                Skip(all.AsSpan(start), run, transient);
                break;
            }
        }

        return run.Complete(messages, _logger);
    }

    private int NextBatchLength(ReadOnlySpan<EncodedMessage> remaining)
    {
        var count = 0;
        var bytes = 2;
        foreach (var message in remaining)
        {
            var added = message.Json.Length + (count > 0 ? 1 : 0);
            if (count == _maxBatchMessages || bytes + added > _maxBatchBytes)
            {
                break;
            }

            bytes += added;
            count++;
        }

        return count;
    }

    // Returns the failure when the batch, or part of it, failed transiently, so the caller holds back the rest.
    private async Task<SendResult?> SendAsync(HttpClient client, ReadOnlyMemory<EncodedMessage> batch, PublishRun run, CancellationToken cancellationToken)
    {
        var result = await PostWithAuthorizationAsync(client, batch, run, cancellationToken).ConfigureAwait(false);
        switch (result.Kind)
        {
            case SendKind.Sent:
                ServiceBusLog.BatchSent(_logger, batch.Length, ServiceBusMessageEncoder.BodyBytes(batch.Span), result.StatusCode);
                run.Succeed(batch.Span);
                return null;

            case SendKind.TooLarge when batch.Length > 1:
                ServiceBusLog.SplittingBatch(_logger, result.StatusCode, batch.Length);
                var half = batch.Length / 2;
                var first = await SendAsync(client, batch[..half], run, cancellationToken).ConfigureAwait(false);
                if (first is not null)
                {
                    Skip(batch[half..].Span, run, first);
                    return first;
                }

                return await SendAsync(client, batch[half..], run, cancellationToken).ConfigureAwait(false);

            case SendKind.Transient:
                ServiceBusLog.BatchFailedTransiently(_logger, batch.Length, result.ReasonCode);
                run.Fail(batch.Span, PublishStatus.FailedTransiently, result.Reason, result.ReasonCode);
                return result;

            default:
                ServiceBusLog.BatchFailedPermanently(_logger, batch.Length, result.ReasonCode);
                run.Fail(batch.Span, PublishStatus.FailedPermanently, result.Reason, result.ReasonCode);
                return null;
        }
    }

    private void Skip(ReadOnlySpan<EncodedMessage> rest, PublishRun run, SendResult cause)
    {
        if (rest.IsEmpty)
        {
            return;
        }

        ServiceBusLog.SkippedAfterTransientFailure(_logger, rest.Length, cause.ReasonCode);
        run.Fail(rest, PublishStatus.FailedTransiently, $"not sent: an earlier batch failed transiently ({cause.Reason})", "skipped");
    }

    private async Task<SendResult> PostWithAuthorizationAsync(HttpClient client, ReadOnlyMemory<EncodedMessage> batch, PublishRun run, CancellationToken cancellationToken)
    {
        var length = ServiceBusMessageEncoder.BodyBytes(batch.Span);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ServiceBusMessageEncoder.WriteBody(batch.Span, buffer);
            try
            {
                var (result, rejectedAgain) = await _authorization.SendRefreshingOnceAsync(
                    header =>
                    {
                        run.Requests++;
                        return PostAsync(client, buffer, length, header, cancellationToken);
                    },
                    r => r.Kind == SendKind.Unauthorized,
                    () => ServiceBusLog.RefreshingAfterUnauthorized(_logger, batch.Length),
                    cancellationToken).ConfigureAwait(false);
                return rejectedAgain ? SendResult.Permanent(401, "HTTP 401 Unauthorized: rejected again after a token refresh") : result;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // PostAsync turns every failure of the request into a result: what escapes is getting the header.
                ServiceBusLog.AuthorizationFailed(_logger, ex.GetType().Name, ex);
                return SendResult.Transient("auth", $"could not get a Service Bus authorization ({ex.GetType().Name})");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<SendResult> PostAsync(HttpClient client, byte[] body, int length, string authorization, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body, 0, length);
        content.Headers.ContentType = new MediaTypeHeaderValue(ServiceBusMessageEncoder.ContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, _target.SendUri) { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException)
        {
            return SendResult.Transient("circuit_open", "circuit open: Service Bus failed repeatedly, sending paused");
        }
        catch (TimeoutRejectedException)
        {
            return SendResult.Transient("timeout", "timed out waiting for Service Bus");
        }
        catch (OperationCanceledException)
        {
            return SendResult.Transient("timeout", "timed out waiting for Service Bus");
        }
        catch (HttpRequestException ex)
        {
            return SendResult.Transient("network", $"network failure ({ex.HttpRequestError})");
        }
        catch (Exception ex)
        {
            return SendResult.Transient("error", $"unexpected failure ({ex.GetType().Name})");
        }

        using (response)
        {
            return await ClassifyAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<SendResult> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var code = (int)status;
        if (response.IsSuccessStatusCode)
        {
            return new SendResult(SendKind.Sent, code, "", "");
        }

        switch (status)
        {
            case HttpStatusCode.Unauthorized:
                return new SendResult(SendKind.Unauthorized, code, "HTTP 401 Unauthorized", "401");
            case HttpStatusCode.RequestEntityTooLarge:
                return new SendResult(SendKind.TooLarge, code, "HTTP 413 RequestEntityTooLarge: message too large for the broker", "413");
            case HttpStatusCode.Forbidden:
                // Service Bus answers 403 both for a missing Send right and for "quota exceeded or message too
                // large"; only the error text tells them apart. It is read for classification, never stored.
                return await IndicatesTooLargeAsync(response, cancellationToken).ConfigureAwait(false)
                    ? new SendResult(SendKind.TooLarge, code, "HTTP 403 Forbidden: quota exceeded or message too large", "403")
                    : SendResult.Permanent(code, "HTTP 403 Forbidden: not allowed to send to this topic");
            case HttpStatusCode.BadRequest:
                return SendResult.Permanent(code, "HTTP 400 BadRequest: the broker rejected the batch");
            case HttpStatusCode.Gone:
                return SendResult.Permanent(code, "HTTP 410 Gone: the topic does not exist");
            default:
                var reason = string.Create(CultureInfo.InvariantCulture, $"HTTP {code} {status}");
                return ServiceBusResilience.IsTransientStatus(status) || code >= 500
                    ? SendResult.Transient(code.ToString(CultureInfo.InvariantCulture), reason + " (retries exhausted)")
                    : SendResult.Permanent(code, reason);
        }
    }

    private static async Task<bool> IndicatesTooLargeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            text = "";
        }

        if (text.Length > MaxErrorBodyChars)
        {
            text = text[..MaxErrorBodyChars];
        }

        text += " " + response.ReasonPhrase;
        return text.Contains("too large", StringComparison.OrdinalIgnoreCase)
            || text.Contains("size", StringComparison.OrdinalIgnoreCase)
            || text.Contains("quota", StringComparison.OrdinalIgnoreCase)
            || text.Contains("exceed", StringComparison.OrdinalIgnoreCase);
    }

    private enum SendKind
    {
        Sent,
        Unauthorized,
        TooLarge,
        Permanent,
        Transient,
    }

    private sealed record SendResult(SendKind Kind, int StatusCode, string Reason, string ReasonCode)
    {
        public static SendResult Permanent(int statusCode, string reason) =>
            new(SendKind.Permanent, statusCode, reason, statusCode.ToString(CultureInfo.InvariantCulture));

        public static SendResult Transient(string reasonCode, string reason) => new(SendKind.Transient, 0, reason, reasonCode);
    }

    // Collects outcomes by input index, because splitting and skipping settle messages out of order.
    private sealed class PublishRun(int count, ServiceBusMetrics metrics)
    {
        private readonly PublishOutcome?[] _outcomes = new PublishOutcome?[count];
        private int _sent;
        private int _failedPermanently;
        private int _failedTransiently;

        public int Requests { get; set; }

        public void Succeed(ReadOnlySpan<EncodedMessage> batch)
        {
            foreach (var message in batch)
            {
                _outcomes[message.Index] = new PublishOutcome(message.MessageId, PublishStatus.Sent);
            }

            _sent += batch.Length;
            metrics.Sent(batch.Length);
        }

        public void Fail(ReadOnlySpan<EncodedMessage> batch, PublishStatus status, string reason, string reasonCode)
        {
            foreach (var message in batch)
            {
                _outcomes[message.Index] = new PublishOutcome(message.MessageId, status, reason);
            }

            if (status == PublishStatus.FailedPermanently)
            {
                _failedPermanently += batch.Length;
            }
            else
            {
                _failedTransiently += batch.Length;
            }

            metrics.Failed(batch.Length, status, reasonCode);
        }

        public IReadOnlyList<PublishOutcome> Complete(IReadOnlyList<OutboundMessage> messages, ILogger logger)
        {
            ServiceBusLog.Published(logger, messages.Count, Requests, _sent, _failedPermanently, _failedTransiently);
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
