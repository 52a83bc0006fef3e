using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Core.Intake;
using VroegSignalering.Functions.Api;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Intake;

/// <summary>
/// POST /api/v1/signals: a creditor submits signals as JSON (object or array), NDJSON or CSV.
/// 202 with the receipt once every accepted row is durably queued; 400/409/413/415 as problem details,
/// and 503 with Retry-After when storage fails for longer than the SDK's retries (send the request again).
/// </summary>
[ApiAccess(ApiCaller.Creditor, RateLimited = true)]
public sealed partial class IngestSignals(ApiGate gate, SignalIntake intake, ICreditorRegistry registry, IOptions<IntakeLimits> limits, ILogger<IngestSignals> logger)
{
    /// <summary>How long a creditor waits before sending a request again after storage failed (503).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    [Function(nameof(IngestSignals))]
    [EndpointSummary("Submit arrears signals (JSON, NDJSON or CSV); mode=partial (default) or atomic.")]
    [Tags("Intake")]
    [Consumes(typeof(IncomingSignal), "application/json", "application/x-ndjson", "text/csv")]
    [QueryParameter("mode", "partial (default): accept the valid rows and report the rest; atomic: any invalid row rejects the whole request.", "partial", "atomic")]
    [ProducesResponseType<IntakeResponse>(StatusCodes.Status202Accepted, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status409Conflict, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status413PayloadTooLarge, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status415UnsupportedMediaType, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status503ServiceUnavailable, Problems.ContentType)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/signals")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<IngestSignals>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var creditorId = request.HttpContext.User.CreditorId();
        var creditor = (await registry.ListAsync(cancellationToken)).FirstOrDefault(c => c.Id == creditorId);
        if (creditor is null)
        {
            return Problems.Result(StatusCodes.Status403Forbidden, "Not allowed", "The credential maps to no registered creditor.");
        }

        if (!SignalParser.TryGetFormat(request.ContentType, out var format))
        {
            return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send application/json (one signal or an array), application/x-ndjson or text/csv.");
        }

        var modeText = request.Query["mode"].FirstOrDefault() ?? "partial";
        if (!Enum.TryParse<IntakeMode>(modeText, ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || int.TryParse(modeText, out _))
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "Invalid mode", "The query parameter mode must be 'partial' or 'atomic'.");
        }

        var max = limits.Value.MaxBodyBytes;
        var body = await ReadBodyAsync(request.HttpContext, max, cancellationToken);
        if (body is null)
        {
            return Problems.Result(StatusCodes.Status413PayloadTooLarge, "Request too large",
                $"A request may hold at most {max} bytes; split the submission into several requests.");
        }

        IntakeResult result;
        try
        {
            result = await intake.SubmitAsync(creditor, format, mode, body.Value, cancellationToken);
        }
        catch (Exception ex) when (TransientFailure.IsTransient(ex, cancellationToken))
        {
            // Some rows may have been claimed or queued before the failure: a re-post finds their claims
            // without a receipt, takes them over and queues them again, and processing stores each reference once.
            LogStorageUnavailable(logger, ex);
            return Problems.Unavailable(request.HttpContext, RetryAfter,
                "Storage did not answer in time. Send the same request again after Retry-After seconds: a repeated signaalReferentie is never stored twice.");
        }

        var response = result.Response;
        switch (result.Outcome)
        {
            case IntakeOutcome.Accepted:
                request.HttpContext.Response.Headers.Location = $"/api/v1/intake/{response.ReceiptId}";
                return Results.Json(response, HttpJson.Default.IntakeResponse, statusCode: StatusCodes.Status202Accepted);
            case IntakeOutcome.Conflict:
                return Problems.Result(StatusCodes.Status409Conflict, "Signal reference already used",
                    "This signaalReferentie was received earlier with different content.", response);
            case IntakeOutcome.TooManyRows:
                return Problems.Result(StatusCodes.Status413PayloadTooLarge, "Too many signals",
                    $"A request may carry at most {limits.Value.MaxRowsPerRequest} signals; split the submission.", response);
            case IntakeOutcome.Unreadable:
                return Problems.Result(StatusCodes.Status400BadRequest, "Unreadable request", "The body could not be read as the declared media type.", response);
            default:
                var detail = mode == IntakeMode.Atomic
                    ? "Atomic mode: the request holds invalid rows, so none was accepted. See errors."
                    : "No row of the request was accepted. See errors.";
                return Problems.Result(StatusCodes.Status400BadRequest, "Invalid signals", detail, response);
        }
    }

    // Reads at most max bytes; null when the body is larger (nothing is processed then).
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext context, long max, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > max)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = max + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    // The exception only: intake's exceptions carry no signal content (storage errors name tables and queues).
    [LoggerMessage(Level = LogLevel.Warning, Message = "Intake answered 503: storage failed for longer than its retries")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception);
}
