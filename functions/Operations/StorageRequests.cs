using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Operations;

/// <summary>
/// GET /api/v1/operations/storage-requests: the storage requests this instance has sent since it started, by
/// stage, service, operation and target (the run report divides them by the accepted signals). Counts only;
/// an app scaled out has one tally per instance, and the metric vroeg.storage.requests adds them up.
/// </summary>
[ApiAccess(ApiCaller.Operator)]
public sealed class StorageRequests(ApiGate gate, StorageRequestTally tally)
{
    [Function(nameof(StorageRequests))]
    [EndpointSummary("Operators: this instance's storage requests since it started, by pipeline stage, service, operation and target (counts only).")]
    [Tags("Operations")]
    [ProducesResponseType<StorageRequestsResponse>(StatusCodes.Status200OK, "application/json")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/operations/storage-requests")] HttpRequest request)
    {
        if (await gate.AdmitAsync<StorageRequests>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        return Results.Json(new StorageRequestsResponse(tally.StartedAt, tally.Snapshot()), HttpJson.Default.StorageRequestsResponse);
    }
}

/// <summary>An instance's storage requests since <paramref name="InstanceStartedAt"/>, one row per stage, service, operation and target.</summary>
public sealed record StorageRequestsResponse(DateTimeOffset InstanceStartedAt, IReadOnlyList<StorageRequestCount> Rows);
