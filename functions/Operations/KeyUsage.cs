using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Protection;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Operations;

/// <summary>
/// GET /api/v1/operations/keys/usage: how many records each key still protects. It runs here because
/// attributing older signals to an HMAC key decrypts their address: the operator needs Operations.Run, not the keys.
/// </summary>
[ApiAccess(ApiCaller.Operator)]
public sealed partial class KeyUsage(ApiGate gate, KeyRotation rotation, IPersonalDataProtector protector, IPseudonymizer pseudonymizer, ILogger<KeyUsage> logger)
{
    [Function(nameof(KeyUsage))]
    [EndpointSummary("Operators: records per key ring, key id and holder (counts only, no personal data), and the configured key ids, active first.")]
    [Tags("Operations")]
    [ProducesResponseType<KeyUsageResponse>(StatusCodes.Status200OK, "application/json")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/operations/keys/usage")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<KeyUsage>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var report = await rotation.UsageAsync(null, cancellationToken);
        LogUsage(logger, request.HttpContext.User.OperatorId()!, report.Counts.Count);
        return Results.Json(new KeyUsageResponse(protector.KeyIds, pseudonymizer.KeyIds, KeyOperations.Rows(report.Counts)), HttpJson.Default.KeyUsageResponse);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator {OperatorId} counted the data per key: {Rows} row(s)")]
    private static partial void LogUsage(ILogger logger, string operatorId, int rows);
}
