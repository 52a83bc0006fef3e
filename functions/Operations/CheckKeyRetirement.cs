using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Operations;

/// <summary>
/// GET /api/v1/operations/keys/{kind}/{keyId}/retire: whether a key may be dropped from configuration. A
/// check, not an action: it answers 200 either way, with <c>allowed</c> saying which; it changes nothing.
/// </summary>
[ApiAccess(ApiCaller.Operator)]
public sealed partial class CheckKeyRetirement(ApiGate gate, KeyRotation rotation, ILogger<CheckKeyRetirement> logger)
{
    [Function(nameof(CheckKeyRetirement))]
    [EndpointSummary("Operators: may this key be retired? allowed true: the app settings to drop; false: the reason and the counts of data still under it. Changes nothing.")]
    [Tags("Operations")]
    [ProducesResponseType<KeyRetireResponse>(StatusCodes.Status200OK, "application/json", Description = "The decision, allowed or refused (field allowed).")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/operations/keys/{kind}/{keyId}/retire")] HttpRequest request,
        string kind,
        string keyId,
        CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<CheckKeyRetirement>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var errors = new List<RowError>();
        var keyKind = KeyOperations.Kind(kind, "kind", errors);
        var id = KeyOperations.KeyId(keyId, "keyId", errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid("The key to check is not valid; nothing was read. See errors.", errors);
        }

        var decision = await rotation.CheckRetireAsync(keyKind!.Value, id!, null, cancellationToken);
        LogChecked(logger, request.HttpContext.User.OperatorId()!, kind, id!, decision.Allowed);
        return Results.Json(
            new KeyRetireResponse(kind, id!, decision.Allowed, decision.Reason, KeyOperations.Rows(decision.Remaining), decision.SettingsToDrop, decision.SecretName, decision.KeyIdsToKeep),
            HttpJson.Default.KeyRetireResponse);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator {OperatorId} checked retiring {Kind} key {KeyId}: allowed {Allowed}")]
    private static partial void LogChecked(ILogger logger, string operatorId, string kind, string keyId, bool allowed);
}
