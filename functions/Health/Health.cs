using System.Reflection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using VroegSignalering.Functions.Http;

namespace VroegSignalering.Functions.Health;

/// <summary>GET /api/health: storage reachability and the app version; 200 when healthy, 503 otherwise.</summary>
public static class Health
{
    public static RouteHandlerBuilder MapHealth(this RouteGroupBuilder api) =>
        api.MapGet("/health", HandleAsync)
            .WithName("Health")
            .WithSummary("Reports whether Table and Queue storage are reachable, and the app version.");

    private static async Task<IResult> HandleAsync(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var body = new HealthResponse(
            report.Status == HealthStatus.Healthy ? "up" : "down",
            Version,
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthCheckResponse(e.Value.Status == HealthStatus.Healthy ? "up" : "down", e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds, 1))));
        return Results.Json(body, HttpJson.Default.HealthResponse, statusCode: report.Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    public static string Version { get; } =
        typeof(Health).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}

public sealed record HealthResponse(string Status, string Version, IReadOnlyDictionary<string, HealthCheckResponse> Checks);

public sealed record HealthCheckResponse(string Status, string? Description, double DurationMs);
