using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;
using VroegSignalering.Functions.Api;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Operations;

/// <summary>
/// POST /api/v1/operations/keys/{kind}/rewrap?from=&lt;id&gt;&amp;max=&lt;n&gt;: re-encrypts at most <c>max</c> records
/// under an old encryption key with the active one, and says whether more remain. One call is bounded so it
/// ends well within the Functions timeout (host.json functionTimeout); the caller repeats until
/// <c>more</c> is false. Idempotent and resumable: every pass finds only what earlier ones left.
/// </summary>
[ApiAccess(ApiCaller.Operator)]
public sealed partial class RewrapKeys(ApiGate gate, KeyRotation rotation, IPersonalDataProtector protector, ILogger<RewrapKeys> logger)
{
    /// <summary>Records written per call when max is not given.</summary>
    public const int DefaultMax = 500;

    /// <summary>
    /// The most a caller may ask for. A write is one Table merge (a few ms), plus the scan of the rest; 5,000
    /// keeps a call to tens of seconds, far below the 10-minute functionTimeout, also on a slow account.
    /// </summary>
    public const int UpperMax = 5000;

    [Function(nameof(RewrapKeys))]
    [EndpointSummary("Operators: re-encrypt at most max records under encryption key 'from' with the active key; call again while more is true. hmac keys cannot be rewrapped (400).")]
    [Tags("Operations")]
    [QueryParameter("from", "Required: the old encryption key id whose records to re-encrypt (configured, not the active one).")]
    [QueryParameter("max", "Records to rewrite in this call: 1 to 5000, default 500.")]
    [ProducesResponseType<KeyRewrapResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status409Conflict, Problems.ContentType, Description = "from is the active encryption key: make another key active first.")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/operations/keys/{kind}/rewrap")] HttpRequest request,
        string kind,
        CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<RewrapKeys>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var errors = new List<RowError>();
        var keyKind = KeyOperations.Kind(kind, "kind", errors);
        if (keyKind == KeyKind.Hmac)
        {
            errors.Add(new RowError(0, null, "kind", "key.not_rewrappable",
                "HMAC keys cannot be rewrapped: a household's partition key is the HMAC itself; households under an old HMAC key leave with retention (docs/operations.md, \"Rotating keys\")"));
        }

        var from = KeyOperations.KeyId(request.Query["from"].FirstOrDefault(), "from", errors);
        if (from is not null && keyKind == KeyKind.Encryption && !protector.KeyIds.Contains(from))
        {
            errors.Add(new RowError(0, null, "from", "key.not_configured",
                $"{from} is not a configured encryption key (configured: {string.Join(", ", protector.KeyIds)}): records under it cannot be decrypted here"));
        }

        var max = DefaultMax;
        if (request.Query["max"].FirstOrDefault() is { } maxText
            && (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > UpperMax))
        {
            errors.Add(new RowError(0, null, "max", "field.invalid", string.Create(CultureInfo.InvariantCulture, $"max is a whole number from 1 to {UpperMax} (default {DefaultMax})")));
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("The rewrap request is not valid; nothing was rewritten. See errors.", errors);
        }

        var operatorId = request.HttpContext.User.OperatorId()!;
        if (from == protector.KeyIds[0])
        {
            return Problems.Result(StatusCodes.Status409Conflict, "Active key",
                $"{from} is the active encryption key: make another key active first, then rewrap from {from}");
        }

        var summary = await rotation.RewrapAsync(from!, max, null, cancellationToken);
        LogRewrapped(logger, operatorId, summary.FromKeyId, summary.ToKeyId, max, summary.Rewrapped, summary.Changed, summary.Failed, summary.Uninspected, summary.More);
        return Results.Json(
            new KeyRewrapResponse(kind, summary.FromKeyId, summary.ToKeyId, max, summary.Scanned, summary.Rewrapped, summary.Changed, summary.Failed, summary.Uninspected, summary.More),
            HttpJson.Default.KeyRewrapResponse);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator {OperatorId} rewrapped encryption key {From} to {To} (max {Max}): {Rewrapped} rewrapped, {Changed} changed meanwhile, {Failed} did not decrypt, {Uninspected} uninspected, more {More}")]
    private static partial void LogRewrapped(ILogger logger, string operatorId, string from, string to, int max, long rewrapped, long changed, long failed, long uninspected, bool more);
}
