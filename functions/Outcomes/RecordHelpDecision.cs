using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Outcomes;

/// <summary>
/// POST /api/v1/tasks/{taskId}/hulpaanbod: a reached household accepted or declined the help offered. Recorded
/// once per case; the same decision again answers the same, another one is 409.
/// </summary>
[ApiAccess(ApiCaller.Team)]
public sealed class RecordHelpDecision(ApiGate gate, OutcomeHttp outcomes)
{
    [Function(nameof(RecordHelpDecision))]
    [EndpointSummary("Record that a reached household accepted (aanvaard: true) or declined the help offered, and on which day.")]
    [Tags("Outcomes")]
    [Consumes(typeof(HelpDecisionRequest), "application/json")]
    [ProducesResponseType<HelpDecisionResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status404NotFound, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status409Conflict, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status413PayloadTooLarge, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status415UnsupportedMediaType, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status503ServiceUnavailable, Problems.ContentType)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/tasks/{taskId}/hulpaanbod")] HttpRequest request, string taskId, CancellationToken cancellationToken) =>
        outcomes.PostAsync<RecordHelpDecision, HelpDecisionInput, HelpDecisionRecord>(
            gate, request, taskId,
            body => OutcomeValidator.Help(body, outcomes.Today),
            (team, input) => outcomes.Recorder.DecideHelpAsync(team.Gemeentecode, taskId, input, cancellationToken),
            d => Results.Json(new HelpDecisionResponse(d.TaskId, d.CaseId, d.Aanvaard, d.Datum, d.RecordedAt), HttpJson.Default.HelpDecisionResponse),
            cancellationToken);
}
