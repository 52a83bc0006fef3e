using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Households;

/// <summary>
/// ProcessSignals: for each queued signal, route the address, pseudonymise, encrypt the personal data and
/// store it in its household's partition; quarantine what cannot be routed; mark changed households for
/// triage. Households with an urgent signal are returned for the crisis fast path (<see cref="UrgentTriage"/>);
/// <see cref="CompleteAsync"/> then records the chunk on its receipt. Every step is idempotent, so a retried
/// chunk changes nothing twice.
/// </summary>
public sealed partial class SignalProcessor(
    IAddressRegistry registry,
    IPseudonymizer pseudonymizer,
    IPersonalDataProtector protector,
    IHouseholdStore households,
    IHouseholdChangeFeed changes,
    IQuarantineStore quarantine,
    IReceiptStore receipts,
    IOptionsMonitor<TriageOptions> triageOptions,
    TimeProvider time,
    VroegTelemetry telemetry,
    ILogger<SignalProcessor> logger)
{
    private const int Parallelism = 8;

    private enum Fate
    {
        Stored,
        AlreadyStored,
        Quarantined,
    }

    public async Task<ChunkOutcome> ProcessAsync(SignalChunk chunk, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Processing);
        using var activity = VroegTelemetry.StartFromTraceParent("signals.process", chunk.TraceParent);
        activity?.SetTag("vroeg.receipt", chunk.ReceiptId);
        activity?.SetTag("vroeg.chunk", chunk.Chunk);
        var traceParent = VroegTelemetry.CurrentTraceParent() ?? chunk.TraceParent;
        var now = time.GetUtcNow();

        var results = new (Fate Fate, HouseholdChange? Change, bool Urgent, string SignalId)[chunk.Signals.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, chunk.Signals.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await ProcessOneAsync(chunk, chunk.Signals[i], traceParent, now, ct));

        // Marks are written after the signals, so a crash in between is repaired by the retried message.
        var marked = results.Where(r => r.Change is not null).Select(r => r.Change!)
            .GroupBy(c => c.HouseholdKey, StringComparer.Ordinal).Select(g => g.First()).ToList();
        await changes.MarkChangedAsync(marked, cancellationToken);

        var progress = new ChunkProgress(
            chunk.Chunk,
            chunk.Signals.Count,
            results.Count(r => r.Fate == Fate.Stored),
            results.Count(r => r.Fate == Fate.AlreadyStored),
            results.Count(r => r.Fate == Fate.Quarantined),
            now);
        LogChunk(logger, chunk.ReceiptId, chunk.Chunk, progress.Stored, progress.AlreadyStored, progress.Quarantined);
        var urgent = results.Where(r => r.Urgent).GroupBy(r => r.Change!.HouseholdKey, StringComparer.Ordinal)
            .Select(g => new UrgentSignals(g.Key, g.Select(r => r.SignalId).ToList())).ToList();
        return new ChunkOutcome(chunk.ReceiptId, progress, urgent);
    }

    /// <summary>
    /// Records the chunk as processed on its receipt (the creditor's intake status). Called last, after the
    /// fast path, so "processed" means everything for the chunk is done; a retried chunk records it again.
    /// </summary>
    public async Task CompleteAsync(ChunkOutcome outcome, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Processing);
        await receipts.RecordChunkAsync(outcome.ReceiptId, outcome.Progress, cancellationToken);
    }

    private async Task<(Fate, HouseholdChange?, bool, string)> ProcessOneAsync(SignalChunk chunk, QueuedSignal queued, string? traceParent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var signal = queued.Signal;
        var client = signal.Client;
        var route = await registry.RouteAsync(client.Postcode, client.Huisnummer, client.Huisnummertoevoeging, cancellationToken);
        if (route.Status != RoutingStatus.Routed || route.Area is null)
        {
            var code = route.Status == RoutingStatus.Ambiguous ? "address.ambiguous" : "address.not_found";
            var payload = protector.Protect(JsonSerializer.SerializeToUtf8Bytes(queued, CoreJson.Default.QueuedSignal), ProtectionContexts.Quarantine(queued.SignalId));
            await quarantine.AddAsync(new QuarantinedSignal(chunk.ReceiptId, queued.SignalId, chunk.CreditorId, code, route.Detail ?? code, now, payload), cancellationToken);
            telemetry.SignalsQuarantined.Add(1, new KeyValuePair<string, object?>("reason", code));
            return (Fate.Quarantined, null, false, queued.SignalId);
        }

        var (keyId, householdKey) = await HouseholdKeyAsync(client, cancellationToken);
        var stored = new StoredSignal(
            queued.SignalId,
            chunk.CreditorId,
            signal.SignaalReferentie,
            signal.PartnerType,
            signal.Bedrag,
            signal.Ontstaansdatum,
            signal.Signaaldatum,
            signal.Crisissignaal,
            signal.WarmeOverdracht,
            signal.Eindeleveringsdatum,
            route.Area,
            pseudonymizer.PersonKey(keyId, client),
            AgeOn(client.Geboortedatum, signal.Signaaldatum),
            client.Telefoonnummer is not null,
            chunk.ReceiptId,
            chunk.ReceivedAt,
            now,
            traceParent,
            queued.ContentHash,
            protector.Protect(JsonSerializer.SerializeToUtf8Bytes(client, CoreJson.Default.ClientDetails), ProtectionContexts.Signal(queued.SignalId)),
            keyId);

        var added = await households.AddSignalAsync(householdKey, stored, cancellationToken);
        if (added)
        {
            telemetry.SignalsStored.Add(1, new KeyValuePair<string, object?>("gemeentecode", route.Area.Gemeentecode));
        }

        // Urgent as triage sees it: a crisis signal, or an end of supply within the gemeente's lead time. Only those take
        // the fast path; a distant end of supply waits for TriageCases like any other signal.
        var urgent = CaseComposer.IsUrgent(stored, DutchCalendar.LocalDate(now), triageOptions.CurrentValue.For(route.Area.Gemeentecode));
        return (added ? Fate.Stored : Fate.AlreadyStored, new HouseholdChange(householdKey, route.Area.Gemeentecode, now), urgent, queued.SignalId);
    }

    // With the active HMAC key, unless the household already exists under a key from before a rotation:
    // then it stays in that partition, so its signals keep combining into one case.
    private async Task<(string KeyId, string HouseholdKey)> HouseholdKeyAsync(ClientDetails client, CancellationToken cancellationToken)
    {
        var keyIds = pseudonymizer.KeyIds;
        var active = pseudonymizer.HouseholdKey(keyIds[0], client.Postcode, client.Huisnummer, client.Huisnummertoevoeging);
        if (keyIds.Count == 1 || await households.ExistsAsync(active, cancellationToken))
        {
            return (keyIds[0], active);
        }

        foreach (var older in keyIds.Skip(1))
        {
            var key = pseudonymizer.HouseholdKey(older, client.Postcode, client.Huisnummer, client.Huisnummertoevoeging);
            if (await households.ExistsAsync(key, cancellationToken))
            {
                return (older, key);
            }
        }

        return (keyIds[0], active);
    }

    public static int AgeOn(DateOnly birth, DateOnly on)
    {
        var age = on.Year - birth.Year;
        return on < birth.AddYears(age) ? age - 1 : age;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Receipt {ReceiptId} chunk {Chunk}: {Stored} stored, {AlreadyStored} already stored, {Quarantined} quarantined")]
    private static partial void LogChunk(ILogger logger, string receiptId, int chunk, int stored, int alreadyStored, int quarantined);
}

/// <summary>What processing one chunk did, and the urgent signals it stored per household (for the fast path).</summary>
public sealed record ChunkOutcome(string ReceiptId, ChunkProgress Progress, IReadOnlyList<UrgentSignals> UrgentHouseholds);

/// <summary>A household's urgent signals (a crisis signal or an end of supply) that one chunk stored.</summary>
public sealed record UrgentSignals(string HouseholdKey, IReadOnlyList<string> SignalIds);
