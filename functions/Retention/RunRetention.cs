using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Azure.Retention;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Retention;
using VroegSignalering.Functions.Api;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Retention;

/// <summary>
/// POST /api/v1/operations/retention/run?dryRun=true: what the retention purge would delete, per kind and age bucket
/// (counts only, never an id or anything of a person); without dryRun it purges, as the nightly timer does.
/// </summary>
[ApiAccess(ApiCaller.Operator)]
public sealed partial class RunRetention(ApiGate gate, RetentionPurger purger, ILogger<RunRetention> logger)
{
    [Function(nameof(RunRetention))]
    [EndpointSummary("Operators: run the retention purge now; dryRun=true lists what it would delete per kind and age, and changes nothing.")]
    [Tags("Operations")]
    [QueryParameter("dryRun", "true: count what is past its term, change nothing.", "false", "true")]
    [ProducesResponseType<RetentionRunResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/operations/retention/run")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<RunRetention>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var dryRun = false;
        if (request.Query["dryRun"].FirstOrDefault() is { } text && !bool.TryParse(text, out dryRun))
        {
            return Problems.Invalid("dryRun is not valid; nothing was purged. See errors.", [new RowError(0, null, "dryRun", "field.invalid", "dryRun is true or false")]);
        }

        var summary = await purger.RunAsync(dryRun, null, cancellationToken);
        LogRun(logger, request.HttpContext.User.OperatorId()!, dryRun, summary.Total);
        return Results.Json(RetentionRunResponse.Of(summary), HttpJson.Default.RetentionRunResponse);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator {OperatorId} ran the retention purge (dry run {DryRun}): {Records} record(s)")]
    private static partial void LogRun(ILogger logger, string operatorId, bool dryRun, int records);
}

/// <summary>Per kind (QuarantinedSignal, ClosedCaseWithoutHelp, …) the records past their term per age bucket; counts only.</summary>
public sealed record RetentionRunResponse(bool DryRun, DateTimeOffset At, int Total, int Resumed, IReadOnlyList<string> AgeBuckets, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ByKind)
{
    public static RetentionRunResponse Of(RetentionSummary s) => new(
        s.DryRun, s.At, s.Total, s.Resumed, RetentionPlanner.AgeBuckets,
        s.ByKind.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, int>)kv.Value, StringComparer.Ordinal));
}
