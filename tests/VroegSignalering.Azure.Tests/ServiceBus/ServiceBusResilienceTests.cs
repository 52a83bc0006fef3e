using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using VroegSignalering.Azure.ServiceBus;

namespace VroegSignalering.Azure.Tests.ServiceBus;

public class ServiceBusResilienceTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    [Fact]
    public void Retry_after_in_seconds_is_the_delay()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        Assert.Equal(TimeSpan.FromSeconds(7), ServiceBusResilience.RetryAfter(response, new FakeTimeProvider(Now), MaxDelay));
    }

    [Fact]
    public void Retry_after_as_an_http_date_is_measured_from_the_clock()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", (Now + TimeSpan.FromSeconds(12)).ToString("R"));

        Assert.Equal(TimeSpan.FromSeconds(12), ServiceBusResilience.RetryAfter(response, new FakeTimeProvider(Now), MaxDelay));
    }

    [Fact]
    public void Retry_after_in_the_past_means_now_and_beyond_the_cap_means_the_cap()
    {
        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        past.Headers.RetryAfter = new RetryConditionHeaderValue(Now - TimeSpan.FromMinutes(1));
        using var far = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        far.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromHours(1));
        var time = new FakeTimeProvider(Now);

        Assert.Equal(TimeSpan.Zero, ServiceBusResilience.RetryAfter(past, time, MaxDelay));
        Assert.Equal(MaxDelay, ServiceBusResilience.RetryAfter(far, time, MaxDelay));
    }

    [Fact]
    public void Without_retry_after_the_backoff_decides()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.Null(ServiceBusResilience.RetryAfter(response, new FakeTimeProvider(Now), MaxDelay));
        Assert.Null(ServiceBusResilience.RetryAfter(null, new FakeTimeProvider(Now), MaxDelay));
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(201, false)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(410, false)]
    [InlineData(413, false)]
    public void Only_throttling_timeouts_and_server_failures_are_retried(int status, bool retried)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        Assert.Equal(retried, ServiceBusResilience.IsTransient(Outcome.FromResult(response)));
    }

    [Fact]
    public void Network_failures_and_attempt_timeouts_are_retried_but_an_open_circuit_is_not()
    {
        Assert.True(ServiceBusResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("reset"))));
        Assert.True(ServiceBusResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException())));
        Assert.False(ServiceBusResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new BrokenCircuitException())));
        Assert.False(ServiceBusResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new OperationCanceledException())));
    }
}
