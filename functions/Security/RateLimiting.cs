using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using VroegSignalering.Core.Intake;
using VroegSignalering.Functions.Http;

namespace VroegSignalering.Functions.Security;

/// <summary>
/// Per-creditor token bucket on intake (Intake:RequestsPerMinute, Intake:RequestBurst); a creditor over
/// its limit gets 429 with Retry-After. The limit holds per app instance.
/// </summary>
public static class RateLimiting
{
    public const string PerCreditor = "per-creditor";

    public static IServiceCollection AddCreditorRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(IntakeLimits.Section).Get<IntakeLimits>() ?? new IntakeLimits();
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(PerCreditor, context => RateLimitPartition.GetTokenBucketLimiter(
                context.User.CreditorId() ?? "anonymous",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, limits.RequestBurst),
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1) / Math.Max(1, limits.RequestsPerMinute),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60.0 / Math.Max(1, limits.RequestsPerMinute));
                var seconds = (int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Problems.Write(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This creditor may send {limits.RequestsPerMinute} requests per minute (bursts of {limits.RequestBurst}); retry after {seconds} s.");
            };
        });
        return services;
    }
}
