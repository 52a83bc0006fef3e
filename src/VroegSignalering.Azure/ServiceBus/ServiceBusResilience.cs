using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace VroegSignalering.Azure.ServiceBus;

// The resilience pipeline on the Service Bus HttpClient, outermost first: total timeout, retry with
// jittered exponential backoff that honours Retry-After, circuit breaker, per-attempt timeout.
// 400, 401, 403, 410 and 413 pass straight through: retrying cannot fix them, and the transport
// handles 401 (token refresh) and 413 (split) itself.
internal static class ServiceBusResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ServiceBusTransportOptions options, TimeProvider time, ILogger logger)
    {
        builder.TimeProvider = time;
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "total", Timeout = options.TotalTimeout });
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "retry",
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseRetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, time, options.MaxRetryDelay)),
                OnRetry = args =>
                {
                    ServiceBusLog.RetryScheduled(logger, args.AttemptNumber + 1, Describe(args.Outcome), args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            Name = "circuit-breaker",
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            BreakDuration = options.CircuitBreakerBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            OnOpened = args =>
            {
                ServiceBusLog.CircuitOpened(logger, args.BreakDuration, Describe(args.Outcome));
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                ServiceBusLog.CircuitClosed(logger);
                return ValueTask.CompletedTask;
            },
        });
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "attempt", Timeout = options.AttemptTimeout });
    }

    // Throttling, server-side failures, attempt timeouts and network failures; never 4xx the caller caused.
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => IsTransientStatus(response.StatusCode),
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        _ => false,
    };

    public static bool IsTransientStatus(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout
        or HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.GatewayTimeout;

    // The wait a Retry-After header asks for (delta seconds or an HTTP date), capped at
    // maxDelay; null lets the backoff decide.
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time, TimeSpan maxDelay)
    {
        var header = response?.Headers.RetryAfter;
        TimeSpan? delay = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => null,
        };

        if (delay is null)
        {
            return null;
        }

        return delay.Value < TimeSpan.Zero ? TimeSpan.Zero : delay.Value > maxDelay ? maxDelay : delay.Value;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture),
        { Exception: { } exception } => exception.GetType().Name,
        _ => "unknown",
    };
}
