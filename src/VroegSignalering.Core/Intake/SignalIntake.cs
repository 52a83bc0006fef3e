using System.Text.Json;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Intake;

/// <summary>
/// Accepts a creditor's submission: parse, validate, deduplicate by (creditor, signaalReferentie),
/// queue the accepted rows durably, then record the receipt. The receipt id is derived from the request
/// itself, so an exact replay finds the stored answer and changes nothing. Bad input changes no state.
/// </summary>
public sealed class SignalIntake(
    ISignalReferenceStore references,
    ISignalQueue queue,
    IReceiptStore receipts,
    IOptions<IntakeLimits> limits,
    TimeProvider time,
    VroegTelemetry telemetry)
{
    private readonly SignalValidator _validator = new(limits.Value);

    public async Task<IntakeResult> SubmitAsync(Creditor creditor, SignalFormat format, IntakeMode mode, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Intake);
        using var activity = VroegTelemetry.Source.StartActivity("intake.submit");
        activity?.SetTag("vroeg.creditor", creditor.Id);
        var receiptId = StableIds.From("r-", creditor.Id, mode.ToString(), format.ToString(), StableIds.Sha256Hex(body.Span));
        activity?.SetTag("vroeg.receipt", receiptId);

        var previous = await receipts.GetAsync(creditor.Id, receiptId, cancellationToken);
        if (previous is not null)
        {
            return new IntakeResult(IntakeOutcome.Accepted, previous.Response);
        }

        var parsed = SignalParser.Parse(format, body, limits.Value.MaxRowsPerRequest);
        if (parsed.TooManyRows)
        {
            return new IntakeResult(IntakeOutcome.TooManyRows, new IntakeResponse(null, 0, 0, 0,
                [new RowError(0, null, "body", "request.too_many_rows", $"a request may carry at most {limits.Value.MaxRowsPerRequest} signals")]));
        }

        if (!parsed.IsReadable)
        {
            return new IntakeResult(IntakeOutcome.Unreadable, new IntakeResponse(null, 0, 0, 0, parsed.RequestErrors));
        }

        if (parsed.Rows.Count == 0)
        {
            return new IntakeResult(IntakeOutcome.Unreadable, new IntakeResponse(null, 0, 0, 0,
                [new RowError(0, null, "body", "request.empty", "the request holds no signals")]));
        }

        var today = DutchCalendar.Today(time);
        var errors = new List<RowError>();
        var valid = new List<(int Row, QueuedSignal Signal)>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var duplicates = 0;
        foreach (var raw in parsed.Rows)
        {
            var result = _validator.Validate(raw, today, creditor.PartnerTypes);
            if (!result.IsValid)
            {
                errors.AddRange(result.Errors);
                continue;
            }

            var queued = ToQueued(creditor.Id, result.Signal!);
            if (seen.TryGetValue(queued.Signal.SignaalReferentie, out var hash))
            {
                if (hash == queued.ContentHash)
                {
                    duplicates++;
                }
                else
                {
                    errors.Add(new RowError(raw.Row, queued.Signal.SignaalReferentie, SignalFields.Referentie, ErrorCodes.DuplicateInRequest,
                        "this signaalReferentie appears earlier in the request with different content"));
                }

                continue;
            }

            seen[queued.Signal.SignaalReferentie] = queued.ContentHash;
            valid.Add((raw.Row, queued));
        }

        if (mode == IntakeMode.Atomic && errors.Count > 0)
        {
            return Refused(errors, parsed.Rows.Count);
        }

        if (valid.Count == 0)
        {
            return Refused(errors, parsed.Rows.Count);
        }

        // Claim the references. A claim by this very receipt means an earlier attempt stopped before
        // committing: queue again (processing is idempotent). A claim by a receipt that never completed
        // is taken over. A committed claim with the same content is a duplicate; different content a conflict.
        var claims = await references.ClaimAsync(creditor.Id, receiptId, valid.Select(v => v.Signal).ToList(), cancellationToken);
        var toQueue = new List<QueuedSignal>();
        var takeOver = new List<ReferenceClaim>();
        var committedCache = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (var i = 0; i < valid.Count; i++)
        {
            var signal = valid[i].Signal;
            var claim = claims[i];
            if (claim.New || claim.ReceiptId == receiptId)
            {
                toQueue.Add(signal);
            }
            else if (claim.ContentHash != signal.ContentHash)
            {
                errors.Add(new RowError(valid[i].Row, signal.Signal.SignaalReferentie, SignalFields.Referentie, ErrorCodes.Conflict,
                    "this signaalReferentie was received earlier with different content; send a new reference for a new signal"));
            }
            else if (await IsCommittedAsync(creditor.Id, claim.ReceiptId, committedCache, cancellationToken))
            {
                duplicates++;
            }
            else
            {
                takeOver.Add(claim);
                toQueue.Add(signal);
            }
        }

        if (mode == IntakeMode.Atomic && errors.Count > 0)
        {
            await references.ReleaseAsync(creditor.Id, receiptId, claims.Where(c => c.New).Select(c => c.Reference).ToList(), cancellationToken);
            return Refused(errors, parsed.Rows.Count);
        }

        if (toQueue.Count == 0 && duplicates == 0)
        {
            return Refused(errors, parsed.Rows.Count);
        }

        if (takeOver.Count > 0)
        {
            await references.TransferAsync(creditor.Id, takeOver, receiptId, cancellationToken);
        }

        var receivedAt = time.GetUtcNow();
        var chunks = Chunk(receiptId, creditor.Id, receivedAt, VroegTelemetry.CurrentTraceParent(), toQueue);
        await queue.EnqueueAsync(chunks, cancellationToken);

        var rejected = parsed.Rows.Count - toQueue.Count - duplicates;
        var response = new IntakeResponse(receiptId, toQueue.Count, rejected, duplicates, Sorted(errors));
        await receipts.SaveAsync(
            new IntakeReceipt(receiptId, creditor.Id, receivedAt, mode.ToString().ToLowerInvariant(), format.ToString().ToLowerInvariant(), parsed.Rows.Count, chunks.Count, response),
            cancellationToken);

        telemetry.SignalsAccepted.Add(toQueue.Count);
        telemetry.SignalsDuplicate.Add(duplicates);
        CountRejections(errors);
        activity?.SetTag("vroeg.accepted", toQueue.Count);
        activity?.SetTag("vroeg.rejected", rejected);
        return new IntakeResult(IntakeOutcome.Accepted, response);
    }

    /// <summary>Deterministic signal id: one per (creditor, signaalReferentie).</summary>
    public static string SignalId(string creditorId, string reference) => StableIds.From("s-", creditorId, reference);

    public static QueuedSignal ToQueued(string creditorId, IncomingSignal signal) => new(
        SignalId(creditorId, signal.SignaalReferentie),
        StableIds.Sha256Hex(JsonSerializer.SerializeToUtf8Bytes(signal, CoreJson.Default.IncomingSignal)),
        signal);

    private IReadOnlyList<SignalChunk> Chunk(string receiptId, string creditorId, DateTimeOffset receivedAt, string? traceParent, List<QueuedSignal> signals)
    {
        var chunks = new List<SignalChunk>();
        var current = new List<QueuedSignal>();
        var bytes = 0;
        foreach (var s in signals)
        {
            var size = JsonSerializer.SerializeToUtf8Bytes(s, CoreJson.Default.QueuedSignal).Length;
            if (current.Count > 0 && (current.Count >= limits.Value.MaxRowsPerChunk || bytes + size > limits.Value.MaxChunkPlaintextBytes))
            {
                chunks.Add(new SignalChunk(receiptId, chunks.Count, creditorId, receivedAt, traceParent, current));
                current = [];
                bytes = 0;
            }

            current.Add(s);
            bytes += size;
        }

        if (current.Count > 0)
        {
            chunks.Add(new SignalChunk(receiptId, chunks.Count, creditorId, receivedAt, traceParent, current));
        }

        return chunks;
    }

    private async Task<bool> IsCommittedAsync(string creditorId, string receiptId, Dictionary<string, bool> cache, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(receiptId, out var committed))
        {
            committed = await receipts.GetAsync(creditorId, receiptId, cancellationToken) is not null;
            cache[receiptId] = committed;
        }

        return committed;
    }

    private IntakeResult Refused(List<RowError> errors, int rows)
    {
        CountRejections(errors);
        var conflictOnly = rows == 1 && errors.Count > 0 && errors.All(e => e.Code == ErrorCodes.Conflict);
        var response = new IntakeResponse(null, 0, rows, 0, Sorted(errors));
        return new IntakeResult(conflictOnly ? IntakeOutcome.Conflict : IntakeOutcome.Rejected, response);
    }

    private void CountRejections(List<RowError> errors)
    {
        foreach (var code in errors.GroupBy(e => e.Row).Select(g => g.First().Code))
        {
            telemetry.SignalsRejected.Add(1, new KeyValuePair<string, object?>("code", code));
        }
    }

    private static List<RowError> Sorted(List<RowError> errors) => errors.OrderBy(e => e.Row).ToList();
}
