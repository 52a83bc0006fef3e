using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Functions.Api;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Outcomes;

/// <summary>
/// GET /api/v1/feedback?cursor=&amp;max=: the calling creditor's feedback, in the order it was confirmed: per
/// signaalReferentie only that help was accepted, and the day. Nothing about refusals, reasons, results, contact
/// or other creditors' signals: the index holds nothing else (FeedbackTableStore).
/// </summary>
[ApiAccess(ApiCaller.Creditor)]
public sealed class CreditorFeedback(ApiGate gate, CreditorFeedbackReader reader)
{
    public const int DefaultMax = 100;

    [Function(nameof(CreditorFeedback))]
    [EndpointSummary("The creditor's feedback: per signaalReferentie that help was accepted and its date, read on with the cursor.")]
    [Tags("Feedback")]
    [QueryParameter("cursor", "The cursor of the previous page; absent: from the start.")]
    [QueryParameter("max", "Most items on a page (1-500, default 100).")]
    [ProducesResponseType<FeedbackResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/feedback")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<CreditorFeedback>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var errors = new List<RowError>();
        var cursor = request.Query["cursor"].FirstOrDefault();
        if (cursor is not null && (cursor.Length is 0 or > 100 || !cursor.All(c => char.IsAsciiLetterOrDigit(c) || c is '|' or '-' or '_')))
        {
            errors.Add(new RowError(0, null, "cursor", "cursor.invalid", "cursor is the value a previous page returned"));
        }

        var max = DefaultMax;
        if (request.Query["max"].FirstOrDefault() is { } maxText
            && (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > CreditorFeedbackReader.MaxPage))
        {
            errors.Add(new RowError(0, null, "max", "max.out_of_range", $"max is a whole number from 1 to {CreditorFeedbackReader.MaxPage}"));
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("The query is not valid. See errors.", errors);
        }

        var page = await reader.ReadAsync(request.HttpContext.User.CreditorId()!, cursor, max, cancellationToken);
        return Results.Json(
            new FeedbackResponse(page.Items.Select(i => new FeedbackResponseItem(i.SignaalReferentie, true, i.Datum)).ToList(), page.Next),
            HttpJson.Default.FeedbackResponse);
    }
}

public sealed record FeedbackResponse(IReadOnlyList<FeedbackResponseItem> Items, string? Cursor);

public sealed record FeedbackResponseItem(string SignaalReferentie, bool HulpAanvaard, DateOnly Datum);
