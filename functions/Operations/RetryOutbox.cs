using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Core.Routing;
using VroegSignalering.Functions.Api;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Operations;

/// <summary>
/// POST /api/v1/operations/outbox/retry: re-drives outbox rows that failed permanently (all, one gemeente's,
/// or one task), once the cause is fixed. It runs here, under the app's identity and keys, because sending a
/// task decrypts it: the operator needs the Operations.Run role, never the key.
/// </summary>
[ApiAccess(ApiCaller.Operator)]
public sealed partial class RetryOutbox(ApiGate gate, OutboxDispatcher dispatcher, ILogger<RetryOutbox> logger)
{
    private const int MaxTaskIdLength = 128;

    [Function(nameof(RetryOutbox))]
    [EndpointSummary("Operators: send failed outbox rows again (all, one gemeente's, or one task); dryRun lists them and changes nothing.")]
    [Tags("Operations")]
    [Consumes(typeof(OutboxRetryRequest), "application/json", IsOptional = true)]
    [QueryParameter("gemeentecode", "Only this gemeente's failed rows (0363 or GM0363); or give it in the body.")]
    [QueryParameter("taskId", "Only this task's row; or give it in the body.")]
    [QueryParameter("dryRun", "true: list what a retry would take, change nothing.", "false", "true")]
    [ProducesResponseType<OutboxRetryResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/operations/outbox/retry")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<RetryOutbox>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var (selection, errors) = await ReadAsync(request, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid("The selection of failed outbox rows is not valid; nothing was retried. See errors.", errors);
        }

        var (filter, dryRun) = selection!.Value;
        var result = await dispatcher.RetryFailedAsync(filter, dryRun, cancellationToken);
        var summary = result.Summary;
        var scope = filter.TaskId is { } task ? "task " + task : filter.Gemeentecode is { } code ? "gemeente " + code : "all";
        LogRetried(logger, request.HttpContext.User.OperatorId()!, scope, dryRun, result.Rows.Count, summary.Sent, summary.AlreadySent, summary.FailedPermanently, summary.FailedTransiently);
        return Results.Json(
            new OutboxRetryResponse(dryRun, scope, result.Rows.Count, summary.Sent, summary.AlreadySent, summary.FailedPermanently, summary.FailedTransiently, result.Rows),
            HttpJson.Default.OutboxRetryResponse);
    }

    // The selection from the JSON body and the query string (either may be absent; a field given in both must agree).
    private static async Task<((OutboxRetryFilter Filter, bool DryRun)? Selection, List<RowError> Errors)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<RowError>();
        void Error(string field, string code, string message) => errors.Add(new RowError(0, null, field, code, message));

        var body = new OutboxRetryRequest(null, null, null);
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
            if (buffer.Length > 4096)
            {
                Error("body", "request.too_large", "the body is a small JSON object: { \"gemeentecode\", \"taskId\", \"dryRun\" }");
                return (null, errors);
            }

            if (buffer.Length > 0)
            {
                try
                {
                    body = JsonSerializer.Deserialize(buffer.ToArray(), HttpJson.Default.OutboxRetryRequest) ?? body;
                }
                catch (JsonException e)
                {
                    Error(FieldOf(e.Path), "request.invalid_json", "the body must be a JSON object with gemeentecode (string), taskId (string) and dryRun (boolean), each optional, and nothing else");
                    return (null, errors);
                }
            }
        }

        string? Pick(string name, string? fromBody)
        {
            var fromQuery = request.Query[name].FirstOrDefault();
            if (fromQuery is not null && fromBody is not null && fromQuery != fromBody)
            {
                Error(name, "request.conflict", $"{name} is given in the body and the query with different values");
            }

            return fromBody ?? fromQuery;
        }

        var gemeenteText = Pick("gemeentecode", body.Gemeentecode);
        var taskId = Pick("taskId", body.TaskId);
        var dryRunText = Pick("dryRun", body.DryRun is { } d ? (d ? "true" : "false") : null);

        string? gemeente = null;
        if (gemeenteText is not null && (gemeente = AreaCodeFormat.Gemeente(gemeenteText)) is null)
        {
            Error("gemeentecode", "field.invalid", "a gemeentecode is four digits, optionally prefixed with GM (0363, GM0363)");
        }

        if (taskId is not null && (taskId.Length is 0 or > MaxTaskIdLength || taskId.Any(char.IsControl)))
        {
            Error("taskId", "field.invalid", $"a task id is 1 to {MaxTaskIdLength} printable characters");
        }

        if (gemeenteText is not null && taskId is not null)
        {
            Error("taskId", "request.exclusive", "select by gemeentecode or by taskId, not both (a task belongs to one gemeente)");
        }

        var dryRun = false;
        if (dryRunText is not null && !bool.TryParse(dryRunText, out dryRun))
        {
            Error("dryRun", "field.invalid", "dryRun is true or false");
        }

        return errors.Count > 0 ? (null, errors) : ((new OutboxRetryFilter(gemeente, taskId), dryRun), errors);
    }

    // "$.dryRun" → "dryRun"; the body itself when the error is not in a field.
    private static string FieldOf(string? path) => path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator {OperatorId} retried failed outbox rows ({Selection}, dry run {DryRun}): {Matched} matched, {Sent} sent, {AlreadySent} already sent, {FailedAgain} failed again, {ToRetryLater} to retry later")]
    private static partial void LogRetried(ILogger logger, string operatorId, string selection, bool dryRun, int matched, int sent, int alreadySent, int failedAgain, int toRetryLater);
}

/// <summary>Which failed rows to send again; every field optional (none: every failed row).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record OutboxRetryRequest(string? Gemeentecode, string? TaskId, bool? DryRun);

/// <summary>What the retry selected and did. Rows carry ids and the broker's reasons, never a task's content.</summary>
public sealed record OutboxRetryResponse(
    bool DryRun,
    string Selection,
    int Matched,
    int Sent,
    int AlreadySent,
    int FailedAgain,
    int ToRetryLater,
    IReadOnlyList<FailedOutboxRow> Rows);
