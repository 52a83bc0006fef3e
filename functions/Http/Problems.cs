using System.Text.Json;
using System.Text.Json.Serialization;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Functions.Http;

/// <summary>RFC 9457 problem details, with the row errors of intake as the <c>errors</c> extension.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";
    private const string TypeBase = "https://vroegsignalering.example/problems/";

    public static async Task Write(HttpContext context, int status, string title, string detail, IntakeResponse? intake = null, string? type = null, IReadOnlyList<RowError>? errors = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        var problem = new Problem(
            TypeBase + (type ?? Slug(status)),
            title,
            status,
            detail,
            context.Request.Path,
            errors ?? intake?.Errors ?? [],
            intake?.Accepted,
            intake?.Rejected,
            intake?.ReceiptId);
        await JsonSerializer.SerializeAsync(context.Response.Body, problem, HttpJson.Default.Problem, context.RequestAborted);
    }

    public static IResult Result(int status, string title, string detail, IntakeResponse? intake = null, string? type = null) =>
        new ProblemResult(status, title, detail, intake, type, null);

    /// <summary>400 for a request whose parameters are wrong: each error names its field (row 0: the request itself).</summary>
    public static IResult Invalid(string detail, IReadOnlyList<RowError> errors) =>
        new ProblemResult(StatusCodes.Status400BadRequest, "Invalid request", detail, null, null, errors);

    /// <summary>Any status with errors that name the field and a stable code (404 for an unknown id, 409 for a conflict).</summary>
    public static IResult WithErrors(int status, string title, string detail, IReadOnlyList<RowError> errors) =>
        new ProblemResult(status, title, detail, null, null, errors);

    /// <summary>409 for a request the current state refuses: <paramref name="type"/> and each error's code are stable.</summary>
    public static IResult Conflict(string detail, string type, IReadOnlyList<RowError> errors) =>
        new ProblemResult(StatusCodes.Status409Conflict, "Conflict", detail, null, type, errors);

    /// <summary>
    /// 503 with Retry-After when storage failed for longer than its retries: the caller sends the same request
    /// again, and a repeated signaalReferentie is never stored twice, so nothing is lost or doubled.
    /// </summary>
    public static IResult Unavailable(HttpContext context, TimeSpan retryAfter, string detail)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ProblemResult(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", detail, null, null, null);
    }

    private static string Slug(int status) => status switch
    {
        400 => "invalid-request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not-found",
        409 => "conflict",
        413 => "too-large",
        415 => "unsupported-media-type",
        429 => "rate-limited",
        503 => "unavailable",
        _ => "error",
    };

    private sealed class ProblemResult(int status, string title, string detail, IntakeResponse? intake, string? type, IReadOnlyList<RowError>? errors) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => Write(httpContext, status, title, detail, intake, type, errors);
    }
}

public sealed record Problem(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("errors")] IReadOnlyList<RowError> Errors,
    [property: JsonPropertyName("accepted")] int? Accepted,
    [property: JsonPropertyName("rejected")] int? Rejected,
    [property: JsonPropertyName("receiptId")] string? ReceiptId);
