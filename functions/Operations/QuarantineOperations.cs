using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Quarantine;
using VroegSignalering.Core.Routing;
using VroegSignalering.Functions.Api;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Operations;

/// <summary>
/// POST /api/v1/operations/quarantine/redrive: routes quarantined signals again (after the address file was updated),
/// one page at a time, and stores those that now route into their household for the normal triage and dispatch. It
/// runs in the app because it decrypts the signals: the operator needs the Operations.Run role, never the key.
/// </summary>
[ApiAccess(ApiCaller.Operator)]
public sealed partial class RedriveQuarantine(ApiGate gate, QuarantineRedrive redrive, ILogger<RedriveQuarantine> logger)
{
    public const int DefaultLimit = 500;

    [Function(nameof(RedriveQuarantine))]
    [EndpointSummary("Operators: route quarantined signals again, a page at a time; those that now route go to their household and on to triage. dryRun routes and counts, and changes nothing.")]
    [Tags("Operations")]
    [Consumes(typeof(QuarantineRedriveRequestBody), "application/json", IsOptional = true)]
    [ProducesResponseType<QuarantineRedriveResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/operations/quarantine/redrive")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<RedriveQuarantine>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var (body, errors) = await QuarantineBodies.ReadAsync(request, HttpJson.Default.QuarantineRedriveRequestBody, "{ \"dryRun\", \"limit\", \"after\" }", cancellationToken);
        body ??= new QuarantineRedriveRequestBody(null, null, null);
        var limit = body.Limit ?? DefaultLimit;
        if (errors.Count == 0 && limit is < 1 or > QuarantineRedriveRequest.MaxLimit)
        {
            errors.Add(new RowError(0, null, "limit", "field.out_of_range", $"limit is 1 to {QuarantineRedriveRequest.MaxLimit}"));
        }

        var after = QuarantineCursor.Parse(body.After);
        if (errors.Count == 0 && body.After is not null && after is null)
        {
            errors.Add(new RowError(0, null, "after", "field.invalid", "after is the 'next' of an earlier answer, unchanged"));
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("The redrive request is not valid; nothing was re-driven. See errors.", errors);
        }

        var result = await redrive.RedriveAsync(new QuarantineRedriveRequest(body.DryRun ?? false, limit, after), cancellationToken);
        LogRedriven(logger, request.HttpContext.User.OperatorId()!, result.DryRun, result.Examined, result.Routed, result.StillQuarantined);
        return Results.Json(
            new QuarantineRedriveResponse(result.DryRun, result.Examined, result.Routed, result.Stored, result.AlreadyStored, result.StillQuarantined,
                result.StillQuarantinedByReason, result.Next?.ToString()),
            HttpJson.Default.QuarantineRedriveResponse);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator {OperatorId} re-drove quarantine (dry run {DryRun}): {Examined} examined, {Routed} route, {StillQuarantined} still quarantined")]
    private static partial void LogRedriven(ILogger logger, string operatorId, bool dryRun, int examined, int routed, int stillQuarantined);
}

/// <summary>
/// POST /api/v1/operations/quarantine/{signalId}/assignment: an operator assigns a gemeente to a quarantined signal whose
/// address no source routes. The assignment goes to the audit trail (who, when, signal id, gemeente, reason code: no
/// personal data) and the signal to its household under that gemeente, on to triage.
/// </summary>
[ApiAccess(ApiCaller.Operator)]
public sealed class AssignQuarantinedSignal(ApiGate gate, QuarantineRedrive redrive)
{
    private const int MaxSignalIdLength = 256;

    [Function(nameof(AssignQuarantinedSignal))]
    [EndpointSummary("Operators: assign a gemeente to a quarantined signal by hand (audited, no personal data); the signal goes to its household and on to triage.")]
    [Tags("Operations")]
    [Consumes(typeof(QuarantineAssignRequest), "application/json")]
    [ProducesResponseType<QuarantineAssignResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status404NotFound, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status409Conflict, Problems.ContentType)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/operations/quarantine/{signalId}/assignment")] HttpRequest request,
        string signalId,
        CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<AssignQuarantinedSignal>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var (body, errors) = await QuarantineBodies.ReadAsync(request, HttpJson.Default.QuarantineAssignRequest, "{ \"gemeentecode\", \"reasonCode\" }", cancellationToken);
        if (signalId.Length is 0 or > MaxSignalIdLength || signalId.Any(char.IsControl))
        {
            errors.Add(new RowError(0, null, "signalId", "field.invalid", $"a signal id is 1 to {MaxSignalIdLength} printable characters"));
        }

        string? gemeente = null;
        if (body is not null)
        {
            if (body.Gemeentecode is null)
            {
                errors.Add(new RowError(0, null, "gemeentecode", "field.required", "gemeentecode is required (0363 or GM0363)"));
            }
            else if ((gemeente = AreaCodeFormat.Gemeente(body.Gemeentecode)) is null)
            {
                errors.Add(new RowError(0, null, "gemeentecode", "field.invalid", "a gemeentecode is four digits, optionally prefixed with GM (0363, GM0363)"));
            }
            else if (!redrive.IsKnownGemeente(gemeente))
            {
                errors.Add(new RowError(0, null, "gemeentecode", "gemeente.unknown", $"gemeente {gemeente} is not one this deployment serves (not in the address file nor in Triage:Gemeenten)"));
            }

            if (body.ReasonCode is null)
            {
                errors.Add(new RowError(0, null, "reasonCode", "field.required", "reasonCode is required: " + string.Join(", ", QuarantineRedrive.AssignmentReasons)));
            }
            else if (!QuarantineRedrive.AssignmentReasons.Contains(body.ReasonCode, StringComparer.Ordinal))
            {
                errors.Add(new RowError(0, null, "reasonCode", "field.invalid", "reasonCode is one of: " + string.Join(", ", QuarantineRedrive.AssignmentReasons)));
            }
        }
        else if (errors.Count == 0)
        {
            errors.Add(new RowError(0, null, "body", "field.required", "the body is a JSON object { \"gemeentecode\", \"reasonCode\" }"));
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("The assignment is not valid; nothing was changed. See errors.", errors);
        }

        var result = await redrive.AssignAsync(signalId, gemeente!, body!.ReasonCode!, request.HttpContext.User.OperatorId()!, cancellationToken);
        return result.Outcome switch
        {
            AssignOutcome.UnknownSignal => Problems.WithErrors(StatusCodes.Status404NotFound, "Unknown quarantined signal",
                "No quarantined signal has this id (it may have been re-driven or assigned already); nothing was changed.",
                [new RowError(0, null, "signalId", "quarantine.signal_not_found", "no quarantined signal with this id")]),
            AssignOutcome.AlreadyAssigned => Problems.WithErrors(StatusCodes.Status409Conflict, "Already assigned",
                string.Create(CultureInfo.InvariantCulture, $"This signal was assigned to gemeente {result.Gemeentecode} before; nothing was changed."),
                [new RowError(0, null, "signalId", "quarantine.already_assigned", "the signal already has a gemeente assigned")]),
            _ => Results.Json(new QuarantineAssignResponse(result.SignalId, result.Gemeentecode!, body.ReasonCode!, result.Stored), HttpJson.Default.QuarantineAssignResponse),
        };
    }
}

internal static class QuarantineBodies
{
    /// <summary>A small JSON body (empty allowed: null), or the error naming the field that broke it.</summary>
    public static async Task<(T? Body, List<RowError> Errors)> ReadAsync<T>(HttpRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string shape, CancellationToken cancellationToken)
        where T : class
    {
        var errors = new List<RowError>();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > 4096)
        {
            errors.Add(new RowError(0, null, "body", "request.too_large", "the body is a small JSON object: " + shape));
            return (null, errors);
        }

        if (buffer.Length == 0)
        {
            return (null, errors);
        }

        try
        {
            return (JsonSerializer.Deserialize(buffer.ToArray(), type), errors);
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "body" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
            errors.Add(new RowError(0, null, field, "request.invalid_json", "the body must be a JSON object " + shape + " with those fields only"));
            return (null, errors);
        }
    }
}

/// <summary>One redrive page; every field optional (dryRun false, limit 500, from the start).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record QuarantineRedriveRequestBody(bool? DryRun, int? Limit, string? After);

/// <summary>What a redrive page did. <c>next</c>: pass it as <c>after</c> for the next page; null at the end. Counts only.</summary>
public sealed record QuarantineRedriveResponse(
    bool DryRun,
    int Examined,
    int Routed,
    int Stored,
    int AlreadyStored,
    int StillQuarantined,
    IReadOnlyDictionary<string, int> StillQuarantinedByReason,
    string? Next);

/// <summary>The gemeente to assign and why, as a code (free text could carry personal data into the audit trail).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record QuarantineAssignRequest(string? Gemeentecode, string? ReasonCode);

public sealed record QuarantineAssignResponse(string SignalId, string Gemeentecode, string ReasonCode, bool Stored);
