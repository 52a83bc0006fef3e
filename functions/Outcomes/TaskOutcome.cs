using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Outcomes;

/// <summary>
/// GET /api/v1/tasks/{taskId}: a task of the team's gemeente with its case's status and the outcomes recorded so
/// far. Another gemeente's task is 404, exactly as an unknown one.
/// </summary>
[ApiAccess(ApiCaller.Team)]
public sealed class TaskOutcome(ApiGate gate, OutcomeHttp outcomes)
{
    [Function(nameof(TaskOutcome))]
    [EndpointSummary("A task of the team's gemeente: its case's status, contact attempts, help decision and resultaat.")]
    [Tags("Outcomes")]
    [ProducesResponseType<TaskOutcomeResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/tasks/{taskId}")] HttpRequest request, string taskId, CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<TaskOutcome>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        if (outcomes.Caller(request.HttpContext) is not { } team)
        {
            return OutcomeHttp.Unregistered();
        }

        var view = await outcomes.Recorder.GetAsync(team.Gemeentecode, taskId, cancellationToken);
        if (view is null)
        {
            return OutcomeHttp.NotFound(taskId);
        }

        var o = view.Outcome;
        return Results.Json(
            new TaskOutcomeResponse(
                view.TaskId, view.CaseId, view.Gemeentecode, view.DueDate, view.Status.ToString(),
                view.Attempts.Select(ContactAttemptResponse.From).ToList(), o?.HelpAccepted, o?.HelpDatum, o?.Resultaat, o?.ClosedAt),
            HttpJson.Default.TaskOutcomeResponse);
    }
}
