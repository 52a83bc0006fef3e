using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Intake;

/// <summary>
/// GET /api/v1/intake/{receiptId}: how far a submission got. Receipts are stored per creditor, so a
/// creditor asking for another creditor's receipt gets 404, exactly as for an unknown id.
/// </summary>
[ApiAccess(ApiCaller.Creditor)]
public sealed class IntakeStatus(ApiGate gate, IReceiptStore receipts, IQuarantineStore quarantine)
{
    [Function(nameof(IntakeStatus))]
    [EndpointSummary("Status of a submission: queued, processing or processed, with counts and quarantine reasons.")]
    [Tags("Intake")]
    [ProducesResponseType<IntakeStatusResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<Problem>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/intake/{receiptId}")] HttpRequest request, string receiptId, CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<IntakeStatus>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var creditorId = request.HttpContext.User.CreditorId()!;
        var receipt = receiptId.Length <= 64 ? await receipts.GetAsync(creditorId, receiptId, cancellationToken) : null;
        if (receipt is null)
        {
            return Problems.Result(StatusCodes.Status404NotFound, "Receipt not found", $"No submission with receipt id '{receiptId}' exists for this creditor.");
        }

        var chunks = await receipts.GetChunksAsync(receiptId, cancellationToken);
        var quarantined = await quarantine.ListAsync(receiptId, cancellationToken);
        var status = chunks.Count == 0 ? "queued" : chunks.Count < receipt.Chunks ? "processing" : "processed";
        return Results.Json(
            new IntakeStatusResponse(
                receipt.ReceiptId,
                status,
                receipt.ReceivedAt,
                receipt.Rows,
                receipt.Response.Accepted,
                receipt.Response.Rejected,
                receipt.Response.Duplicates,
                receipt.Chunks,
                chunks.Count,
                chunks.Sum(c => c.Stored + c.AlreadyStored),
                quarantined.Count,
                quarantined.GroupBy(q => q.ReasonCode).ToDictionary(g => g.Key, g => g.Count()),
                receipt.Response.Errors),
            HttpJson.Default.IntakeStatusResponse);
    }
}

public sealed record IntakeStatusResponse(
    string ReceiptId,
    string Status,
    DateTimeOffset ReceivedAt,
    int Rows,
    int Accepted,
    int Rejected,
    int Duplicates,
    int Chunks,
    int ChunksProcessed,
    int Stored,
    int Quarantined,
    IReadOnlyDictionary<string, int> QuarantineReasons,
    IReadOnlyList<RowError> Errors);
