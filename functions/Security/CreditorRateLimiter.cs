using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Intake;
using VroegSignalering.Functions.Http;

namespace VroegSignalering.Functions.Security;

/// <summary>
/// Per-creditor token bucket on intake (Intake:RequestsPerMinute, Intake:RequestBurst), from
/// System.Threading.RateLimiting; a creditor over its limit gets 429 with Retry-After. The limit holds
/// per app instance.
/// </summary>
public sealed class CreditorRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly IntakeLimits _limits;

    public CreditorRateLimiter(IOptions<IntakeLimits> options)
    {
        var limits = options.Value;
        _limits = limits;
        _limiter = PartitionedRateLimiter.Create<string, string>(creditorId => RateLimitPartition.GetTokenBucketLimiter(
            creditorId,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, limits.RequestBurst),
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / Math.Max(1, limits.RequestsPerMinute),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Takes one token for the creditor: null when granted, else the 429 answer.</summary>
    public IResult? Admit(string creditorId)
    {
        using var lease = _limiter.AttemptAcquire(creditorId);
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60.0 / Math.Max(1, _limits.RequestsPerMinute));
        var seconds = (int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds));
        return new TooManyRequests(seconds, _limits);
    }

    public void Dispose() => _limiter.Dispose();

    private sealed class TooManyRequests(int seconds, IntakeLimits limits) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problems.Write(httpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                $"This creditor may send {limits.RequestsPerMinute} requests per minute (bursts of {limits.RequestBurst}); retry after {seconds} s.");
        }
    }
}
