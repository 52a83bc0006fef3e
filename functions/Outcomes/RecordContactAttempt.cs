using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Outcomes;

/// <summary>
/// POST /api/v1/tasks/{taskId}/contactpogingen: a team records a contact attempt (DDAS contactpoging) under its
/// own id. The same id with the same values answers the same 200 and stores nothing new; with other values 409.
/// </summary>
[ApiAccess(ApiCaller.Team)]
public sealed class RecordContactAttempt(ApiGate gate, OutcomeHttp outcomes)
{
    [Function(nameof(RecordContactAttempt))]
    [EndpointSummary("Record a contact attempt on a task (DDAS contactpoging: soort, bereikt, datum, dagdeel) under the team's own id; a replay changes nothing.")]
    [Tags("Outcomes")]
    [Consumes(typeof(ContactAttemptRequest), "application/json")]
    [ProducesResponseType<ContactAttemptResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status404NotFound, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status409Conflict, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status413PayloadTooLarge, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status415UnsupportedMediaType, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status503ServiceUnavailable, Problems.ContentType)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/tasks/{taskId}/contactpogingen")] HttpRequest request, string taskId, CancellationToken cancellationToken) =>
        outcomes.PostAsync<RecordContactAttempt, ContactAttemptInput, ContactAttempt>(
            gate, request, taskId,
            body => OutcomeValidator.Attempt(body, outcomes.Today),
            (team, input) => outcomes.Recorder.RecordAttemptAsync(team.Gemeentecode, team.TeamId, taskId, input, cancellationToken),
            a => Results.Json(ContactAttemptResponse.From(a), HttpJson.Default.ContactAttemptResponse),
            cancellationToken);
}
