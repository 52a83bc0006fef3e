using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Health;

/// <summary>GET /api/health: storage reachability and the app version; 200 when healthy, 503 otherwise.</summary>
[ApiAccess(ApiCaller.Anonymous)]
public sealed class Health(ApiGate gate, HealthCheckService health)
{
    public static string Version { get; } =
        typeof(Health).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    [Function(nameof(Health))]
    [EndpointSummary("Reports whether Table and Queue storage are reachable, and the app version.")]
    [Tags("Health")]
    [ProducesResponseType<HealthResponse>(StatusCodes.Status200OK, "application/json", Description = "Tables and queues answer.")]
    [ProducesResponseType<HealthResponse>(StatusCodes.Status503ServiceUnavailable, "application/json", Description = "Storage does not answer (in time); see checks.")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<Health>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var report = await health.CheckHealthAsync(cancellationToken);
        var body = new HealthResponse(
            report.Status == HealthStatus.Healthy ? "up" : "down",
            Version,
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthCheckResponse(e.Value.Status == HealthStatus.Healthy ? "up" : "down", e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds, 1))));
        return Results.Json(body, HttpJson.Default.HealthResponse, statusCode: report.Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthResponse(string Status, string Version, IReadOnlyDictionary<string, HealthCheckResponse> Checks);

public sealed record HealthCheckResponse(string Status, string? Description, double DurationMs);
