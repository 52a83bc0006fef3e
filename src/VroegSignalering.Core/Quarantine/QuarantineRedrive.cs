using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Routing;

namespace VroegSignalering.Core.Quarantine;

/// <summary>What one redrive page asks for.</summary>
public sealed record QuarantineRedriveRequest(bool DryRun, int Limit, QuarantineCursor? After)
{
    public const int MaxLimit = 1000;
}

/// <summary>
/// What one redrive page did (or, in a dry run, would do). <see cref="Next"/> is where the next page starts; null when
/// this page reached the end. Counts only: never an address or a signal's content.
/// </summary>
public sealed record QuarantineRedriveResult(
    bool DryRun,
    int Examined,
    int Routed,
    int Stored,
    int AlreadyStored,
    int StillQuarantined,
    IReadOnlyDictionary<string, int> StillQuarantinedByReason,
    QuarantineCursor? Next);

public enum AssignOutcome
{
    Assigned,
    UnknownSignal,
    AlreadyAssigned,
}

/// <summary>The answer to an assignment: what happened, and for an assigned signal whether it reached its household.</summary>
public sealed record AssignResult(AssignOutcome Outcome, string SignalId, string? Gemeentecode, bool Stored);

/// <summary>
/// Takes quarantined signals out of quarantine: routes them again (after the address file was updated, or by a
/// gemeente an operator assigned) and stores those that now route into their household through the same
/// <see cref="SignalProcessor"/> as intake, so the same invariants hold: a signal is stored once (its id is its row key
/// in the household), its household is marked for triage, and urgent households take the fast path. Only then is the
/// quarantine row removed: a crash in between leaves the row, and the next redrive finds the signal already stored,
/// marks the household again (harmless) and removes the row. A dry run routes and counts, and writes nothing.
/// </summary>
public sealed partial class QuarantineRedrive(
    IServiceProvider services,
    IAddressRegistry registry,
    IQuarantineResolutions quarantine,
    IQuarantineAudit audit,
    IGemeenteDirectory gemeenten,
    IPersonalDataProtector protector,
    UrgentTriage urgent,
    TimeProvider time,
    ILogger<QuarantineRedrive> logger)
{
    /// <summary>Reason codes an operator may give for an assignment: codes, never free text, so the audit trail holds no personal data.</summary>
    public static IReadOnlyList<string> AssignmentReasons { get; } =
    [
        "address.new_build",
        "address.renamed",
        "address.confirmed_by_creditor",
        "address.confirmed_by_gemeente",
        "address.other",
    ];

    public bool IsKnownGemeente(string gemeentecode) => gemeenten.IsKnown(gemeentecode);

    public async Task<QuarantineRedriveResult> RedriveAsync(QuarantineRedriveRequest request, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Processing);
        if (registry is IReloadableAddressRegistry reloadable && await reloadable.ReloadIfChangedAsync(cancellationToken))
        {
            LogReloaded(logger);
        }

        var limit = Math.Clamp(request.Limit, 1, QuarantineRedriveRequest.MaxLimit);
        var page = await quarantine.PageAsync(request.After, limit, cancellationToken);
        var routable = new List<(QuarantineEntry Entry, QueuedSignal Signal, RoutingResult Route)>();
        var still = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in page)
        {
            var signal = Decrypt(entry);
            var route = await RouteAsync(entry, signal, cancellationToken);
            if (route.Status == RoutingStatus.Routed && route.Area is not null)
            {
                routable.Add((entry, signal, route));
            }
            else
            {
                var code = route.Status == RoutingStatus.Ambiguous ? "address.ambiguous" : "address.not_found";
                still[code] = still.GetValueOrDefault(code) + 1;
            }
        }

        var (stored, already) = request.DryRun ? (0, 0) : await StoreAsync(routable, cancellationToken);
        var next = page.Count == limit ? new QuarantineCursor(page[^1].Signal.ReceiptId, page[^1].Signal.SignalId) : null;
        var result = new QuarantineRedriveResult(request.DryRun, page.Count, routable.Count, stored, already, page.Count - routable.Count,
            still.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), next);
        LogRedriven(logger, request.DryRun, page.Count, routable.Count, stored, already, result.StillQuarantined);
        return result;
    }

    /// <summary>
    /// Assigns a gemeente to a quarantined signal and stores it in its household under that gemeente (no wijk or
    /// buurt: a person decided the gemeente, not the address). The assignment is written on the quarantine row first
    /// (guarded by its version, so two operators cannot both assign), then its audit record, then the signal is stored;
    /// a crash in between is completed by the next redrive, which writes the audit record again before storing.
    /// The caller validates the gemeente and reason code.
    /// </summary>
    public async Task<AssignResult> AssignAsync(string signalId, string gemeentecode, string reasonCode, string operatorId, CancellationToken cancellationToken)
    {
        using var stage = WorkStage.Enter(WorkStage.Processing);
        var entry = await quarantine.FindAsync(signalId, cancellationToken);
        if (entry is null)
        {
            return new AssignResult(AssignOutcome.UnknownSignal, signalId, null, false);
        }

        if (entry.Assignment is { } existing)
        {
            return new AssignResult(AssignOutcome.AlreadyAssigned, signalId, existing.Gemeentecode, false);
        }

        var assignment = new QuarantineAssignment(gemeentecode, reasonCode, operatorId, time.GetUtcNow());
        if (!await quarantine.AssignAsync(entry, assignment, cancellationToken))
        {
            var now = await quarantine.FindAsync(signalId, cancellationToken);
            return now?.Assignment is { } other
                ? new AssignResult(AssignOutcome.AlreadyAssigned, signalId, other.Gemeentecode, false)
                : new AssignResult(AssignOutcome.UnknownSignal, signalId, null, false);
        }

        LogAssigned(logger, operatorId, signalId, gemeentecode, reasonCode);
        var assigned = await quarantine.FindAsync(signalId, cancellationToken);
        if (assigned is null)
        {
            // Another redrive stored it between our write and this read: it is in its household.
            return new AssignResult(AssignOutcome.Assigned, signalId, gemeentecode, true);
        }

        var signal = Decrypt(assigned);
        await StoreAsync([(assigned, signal, await RouteAsync(assigned, signal, cancellationToken))], cancellationToken);
        return new AssignResult(AssignOutcome.Assigned, signalId, gemeentecode, true);
    }

    private QueuedSignal Decrypt(QuarantineEntry entry) =>
        JsonSerializer.Deserialize(protector.Unprotect(entry.Signal.Signal, ProtectionContexts.Quarantine(entry.Signal.SignalId)), CoreJson.Default.QueuedSignal)
        ?? throw new InvalidDataException($"quarantined signal {entry.Signal.SignalId} holds no signal");

    // An operator's assignment wins over the registry: the registry is what failed to route it.
    private async Task<RoutingResult> RouteAsync(QuarantineEntry entry, QueuedSignal signal, CancellationToken cancellationToken) =>
        entry.Assignment is { } a
            ? RoutingResult.Found(new AreaCodes(a.Gemeentecode, string.Empty, string.Empty))
            : await registry.RouteAsync(signal.Signal.Client.Postcode, signal.Signal.Client.Huisnummer, signal.Signal.Client.Huisnummertoevoeging, cancellationToken);

    private async Task<(int Stored, int AlreadyStored)> StoreAsync(IReadOnlyList<(QuarantineEntry Entry, QueuedSignal Signal, RoutingResult Route)> routable, CancellationToken cancellationToken)
    {
        int stored = 0, already = 0;
        foreach (var group in routable.GroupBy(r => (r.Entry.Signal.ReceiptId, r.Entry.Signal.CreditorId)))
        {
            var items = group.ToList();

            // The audit record before the signal leaves quarantine, so an assignment cut short by a crash is still audited.
            foreach (var (entry, _, _) in items)
            {
                if (entry.Assignment is { } a)
                {
                    await audit.RecordAsync(new QuarantineAuditRecord(entry.Signal.SignalId, a.Gemeentecode, a.ReasonCode, a.OperatorId, a.AssignedAt), cancellationToken);
                }
            }

            // The processor routes again; it gets the routes decided here, so what is stored is what was counted.
            var routes = new FixedRoutes(items.Select(i => (i.Signal, i.Route)));
            var processor = ActivatorUtilities.CreateInstance<SignalProcessor>(services, (IAddressRegistry)routes);

            // ReceivedAt: when the signal was quarantined, right after its receipt; the row keeps no earlier time.
            var chunk = new SignalChunk(group.Key.ReceiptId, 0, group.Key.CreditorId, items.Min(i => i.Entry.Signal.QuarantinedAt), null, items.Select(i => i.Signal).ToList());
            var outcome = await processor.ProcessAsync(chunk, cancellationToken);
            if (outcome.Progress.Quarantined > 0)
            {
                throw new InvalidOperationException("a redriven signal was quarantined again although its route was decided");
            }

            stored += outcome.Progress.Stored;
            already += outcome.Progress.AlreadyStored;
            await urgent.RunAsync(outcome.UrgentHouseholds, cancellationToken);
            foreach (var (entry, _, _) in items)
            {
                await quarantine.RemoveAsync(entry, cancellationToken);
            }
        }

        return (stored, already);
    }

    /// <summary>Answers the routes a redrive decided, per address, for the one chunk it hands to the processor.</summary>
    private sealed class FixedRoutes(IEnumerable<(QueuedSignal Signal, RoutingResult Route)> routes) : IAddressRegistry
    {
        private readonly Dictionary<(string, int, string?), RoutingResult> _routes =
            routes.GroupBy(r => (r.Signal.Signal.Client.Postcode, r.Signal.Signal.Client.Huisnummer, r.Signal.Signal.Client.Huisnummertoevoeging))
                .ToDictionary(g => g.Key, g => g.First().Route);

        public ValueTask<RoutingResult> RouteAsync(string postcode, int huisnummer, string? toevoeging, CancellationToken cancellationToken) =>
            ValueTask.FromResult(_routes.TryGetValue((postcode, huisnummer, toevoeging), out var route)
                ? route
                : throw new InvalidOperationException("the redrive decided no route for this address"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The address file changed on disk and was reloaded before the quarantine redrive")]
    private static partial void LogReloaded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Quarantine redrive (dry run {DryRun}): {Examined} examined, {Routed} route, {Stored} stored, {AlreadyStored} already stored, {StillQuarantined} still quarantined")]
    private static partial void LogRedriven(ILogger logger, bool dryRun, int examined, int routed, int stored, int alreadyStored, int stillQuarantined);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator {OperatorId} assigned quarantined signal {SignalId} to gemeente {Gemeentecode} ({ReasonCode})")]
    private static partial void LogAssigned(ILogger logger, string operatorId, string signalId, string gemeentecode, string reasonCode);
}
