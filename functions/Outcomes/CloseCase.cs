using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Outcomes;

/// <summary>
/// POST /api/v1/tasks/{taskId}/afsluiting: the team closes the task's case with a DDAS resultaat. Closing again
/// with the same resultaat answers the same; another resultaat is 409. A later signal opens a new case.
/// </summary>
[ApiAccess(ApiCaller.Team)]
public sealed class CloseCase(ApiGate gate, OutcomeHttp outcomes)
{
    [Function(nameof(CloseCase))]
    [EndpointSummary("Close the task's case with a DDAS resultaat (EnumEindresultaat).")]
    [Tags("Outcomes")]
    [Consumes(typeof(CaseClosingRequest), "application/json")]
    [ProducesResponseType<CaseClosingResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status404NotFound, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status409Conflict, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status413PayloadTooLarge, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status415UnsupportedMediaType, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status503ServiceUnavailable, Problems.ContentType)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/tasks/{taskId}/afsluiting")] HttpRequest request, string taskId, CancellationToken cancellationToken) =>
        outcomes.PostAsync<CloseCase, CaseClosingInput, CaseClosingRecord>(
            gate, request, taskId,
            OutcomeValidator.Closing,
            (team, input) => outcomes.Recorder.CloseAsync(team.Gemeentecode, taskId, input, cancellationToken),
            c => Results.Json(new CaseClosingResponse(c.TaskId, c.CaseId, c.Resultaat, c.ClosedAt), HttpJson.Default.CaseClosingResponse),
            cancellationToken);
}
