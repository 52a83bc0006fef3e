using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Api;

/// <summary>GET /api/openapi/v1.json: the OpenAPI 3.1 document of this API (<see cref="OpenApiDocument"/>).</summary>
[ApiAccess(ApiCaller.Anonymous)]
public sealed class OpenApi(ApiGate gate, OpenApiDocument document)
{
    [Function(nameof(OpenApi))]
    [EndpointSummary("This OpenAPI 3.1 document.")]
    [Tags("Api")]
    [ProducesResponseType<JsonObject>(StatusCodes.Status200OK, "application/json", Description = "The OpenAPI document.")]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v1.json")] HttpRequest request)
    {
        if (await gate.AdmitAsync<OpenApi>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        return Results.Text(document.Json, "application/json");
    }
}
