using Microsoft.AspNetCore.Http.Features;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Outcomes;

/// <summary>
/// What the outcome functions share: the calling team and its gemeente, the body (JSON, at most
/// <see cref="MaxBodyBytes"/>) validated before anything is read, and one mapping of a result to its answer.
/// HTTP is the contract for outcomes: the app has no Service Bus trigger (docs/contracts/README.md).
/// </summary>
public sealed class OutcomeHttp(OutcomeRecorder recorder, TeamKeys teams, TimeProvider time)
{
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>How long a team waits before sending a request again when the household kept changing (503).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    public OutcomeRecorder Recorder => recorder;

    public DateOnly Today => DutchCalendar.Today(time);

    /// <summary>The team and its gemeente; null when the team is not (or no longer) registered.</summary>
    public (string TeamId, string Gemeentecode)? Caller(HttpContext context) =>
        context.User.TeamId() is { } team && teams.GemeenteOf(team) is { } gemeente ? (team, gemeente) : null;

    /// <summary>The JSON body, or the answer refusing it (415, 413).</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IResult? Refused)> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (default, Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the outcome as application/json."));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (default, TooLarge());
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = MaxBodyBytes + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return (default, TooLarge());
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, TooLarge());
        }

        return (buffer.ToArray(), null);
    }

    public static IResult Invalid(IReadOnlyList<RowError> errors) =>
        Problems.Invalid("The outcome is not valid; nothing was stored. See errors: each names its field and a stable code.", errors);

    public static IResult NotFound(string taskId) =>
        Problems.Result(StatusCodes.Status404NotFound, "Task not found", $"No task '{taskId}' exists for this team's gemeente.");

    public static IResult Unregistered() =>
        Problems.Result(StatusCodes.Status403Forbidden, "Not allowed", "The credential maps to no registered team.");

    /// <summary>
    /// What every outcome POST does, in order: admit the team (the gate), find its gemeente, read the JSON body,
    /// validate it (400 with field paths, nothing stored), record it, and answer the result.
    /// </summary>
    public async Task<IResult> PostAsync<TFunction, TInput, TResult>(
        ApiGate gate,
        HttpRequest request,
        string taskId,
        Func<ReadOnlyMemory<byte>, (TInput? Input, IReadOnlyList<RowError> Errors)> validate,
        Func<(string TeamId, string Gemeentecode), TInput, Task<OutcomeResult<TResult>>> record,
        Func<TResult, IResult> ok,
        CancellationToken cancellationToken)
        where TInput : class
    {
        if (await gate.AdmitAsync<TFunction>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        if (Caller(request.HttpContext) is not { } team)
        {
            return Unregistered();
        }

        var (body, unreadable) = await ReadJsonAsync(request, cancellationToken);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var (input, errors) = validate(body);
        if (input is null)
        {
            return Invalid(errors);
        }

        return Answer(request.HttpContext, taskId, await record(team, input), ok);
    }

    /// <summary>The answer to a result: the value as JSON (200), or its problem.</summary>
    public static IResult Answer<T>(HttpContext context, string taskId, OutcomeResult<T> result, Func<T, IResult> ok) => result switch
    {
        OutcomeResult<T>.Done done => ok(done.Value),
        OutcomeResult<T>.NotFound => NotFound(taskId),
        OutcomeResult<T>.Invalid invalid => Invalid(invalid.Errors),
        OutcomeResult<T>.Conflict conflict => Problems.Conflict(
            conflict.Message + "; nothing was stored.", conflict.Code.Replace('.', '-').Replace('_', '-'), [new RowError(0, null, conflict.Field, conflict.Code, conflict.Message)]),
        OutcomeResult<T>.Busy => Problems.Unavailable(context, RetryAfter, "The household changed while the outcome was recorded; nothing was stored. Send the same request again."),
        _ => throw new InvalidOperationException("unknown outcome result"),
    };

    private static IResult TooLarge() =>
        Problems.Result(StatusCodes.Status413PayloadTooLarge, "Request too large", $"An outcome request may hold at most {MaxBodyBytes} bytes.");
}

public sealed record ContactAttemptRequest(string Id, string Soort, bool Bereikt, DateOnly Datum, string Dagdeel);

public sealed record ContactAttemptResponse(string Id, string TaskId, string CaseId, string Soort, bool Bereikt, DateOnly Datum, string Dagdeel, DateTimeOffset VastgelegdOp)
{
    public static ContactAttemptResponse From(ContactAttempt a) => new(a.Id, a.TaskId, a.CaseId, a.Soort, a.Bereikt, a.Datum, a.Dagdeel, a.RecordedAt);
}

public sealed record HelpDecisionRequest(bool Aanvaard, DateOnly Datum);

public sealed record HelpDecisionResponse(string TaskId, string CaseId, bool Aanvaard, DateOnly Datum, DateTimeOffset VastgelegdOp);

public sealed record CaseClosingRequest(string Resultaat);

public sealed record CaseClosingResponse(string TaskId, string CaseId, string Resultaat, DateTimeOffset AfgeslotenOp);

public sealed record TaskOutcomeResponse(
    string TaskId,
    string CaseId,
    string Gemeentecode,
    DateOnly UiterlijkeContactdatum,
    string Status,
    IReadOnlyList<ContactAttemptResponse> Contactpogingen,
    bool? HulpAanvaard,
    DateOnly? HulpDatum,
    string? Resultaat,
    DateTimeOffset? AfgeslotenOp);
