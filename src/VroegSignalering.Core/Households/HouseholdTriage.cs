using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Households;

/// <summary>
/// The result of triaging one household. <see cref="Committed"/>: the pending outbox rows the caller must point at in
/// the outbox index and announce to the dispatcher (those committed now, and any still pending from an earlier run).
/// </summary>
public sealed record TriageOutcome(int CasesOpened, int TasksCreated, int RepeatsWithoutTask, DateTimeOffset? WaitUntil, IReadOnlyList<OutboxPointer> Committed)
{
    public static readonly TriageOutcome None = new(0, 0, 0, null, []);

    public bool Waiting => WaitUntil is not null;
}

/// <summary>
/// Triages one household: combines its new signals into its case (<see cref="CaseComposer"/>) and, when
/// outreach is due, commits case + task + outbox row in one transaction guarded by ETags. Two workers on
/// the same household, or a replayed message, produce exactly one task per revision: the loser of the
/// race re-reads, finds the signals assigned, and has nothing left to do. The caller announces the
/// committed outbox rows: it writes their pointers to the outbox index (batched, after the commit) and then
/// to the dispatcher (<see cref="IDispatchQueue"/>), and only then acknowledges the household's change mark.
/// A crash between the commit and the pointer leaves the mark, so the next run triages the household again
/// and returns its still-pending rows to be pointed at and announced once more.
/// </summary>
public sealed partial class HouseholdTriage(
    IHouseholdStore store,
    IPersonalDataProtector protector,
    IOptionsMonitor<TriageOptions> triageOptions,
    IOptions<OutreachOptions> outreachOptions,
    JoinedSignalFeedback joinedFeedback,
    TimeProvider time,
    VroegTelemetry telemetry,
    ILogger<HouseholdTriage> logger)
{
    private const int MaxSteps = 16;

    /// <param name="urgentSignals">
    /// The crisis fast path: triage only these urgent signals (those a chunk just stored), so the outcome does not depend
    /// on which other signals of the household happen to be stored already. Null: every unassigned signal (TriageCases).
    /// </param>
    public async Task<TriageOutcome> TriageAsync(string householdKey, IReadOnlySet<string>? urgentSignals, CancellationToken cancellationToken)
    {
        var urgentOnly = urgentSignals is not null;
        var opened = 0;
        var tasks = 0;
        var repeats = 0;
        var committed = new List<OutboxPointer>();
        for (var step = 0; step < MaxSteps; step++)
        {
            var snapshot = await store.LoadAsync(householdKey, cancellationToken);
            if (step == 0)
            {
                committed.AddRange(Repoint(householdKey, snapshot));
            }

            if (snapshot.Signals.Count == 0)
            {
                break;
            }

            var gemeente = snapshot.Signals[0].Area.Gemeentecode;
            var policy = triageOptions.CurrentValue.For(gemeente);
            var now = time.GetUtcNow();
            var decision = CaseComposer.Decide(snapshot, policy, now, urgentOnly, urgentSignals);
            if (decision is CaseDecision.Wait wait)
            {
                return new TriageOutcome(opened, tasks, repeats, wait.Until, committed);
            }

            if (decision is not CaseDecision.Update update)
            {
                break;
            }

            var caseVersion = snapshot.Cases.FirstOrDefault(c => c.Value.CaseId == update.Case.CaseId)?.Version;
            OutreachTask? task = null;
            OutboxEntry? outbox = null;
            OutboxPointer? pointer = null;
            Versioned<OutboxEntry>? existingOutbox = null;
            if (update.Outreach is { } plan)
            {
                using var activity = VroegTelemetry.StartFromTraceParent("triage.task", plan.Signals.OrderBy(s => s.ReceivedAt).Last().TraceParent, System.Diagnostics.ActivityKind.Internal);
                activity?.SetTag("vroeg.task", plan.TaskId);
                activity?.SetTag("vroeg.priority", plan.Triage.Priority.ToString());
                activity?.SetTag("vroeg.gemeente", gemeente);
                task = new OutreachTask(plan.TaskId, update.Case.CaseId, plan.Revision, update.Case.Area, plan.Team,
                    plan.Triage.Priority, plan.Triage.Score, plan.Triage.Reasons, plan.Triage.RecommendedChannel, plan.Triage.DueDate,
                    plan.Triage.PolicyVersion, now, plan.EarliestSignalReceivedAt, plan.Signals.Select(s => s.SignalId).ToList());
                var message = BuildMessage(task, plan.Signals, VroegTelemetry.CurrentTraceParent());
                outbox = new OutboxEntry(task.TaskId, task.CaseId, gemeente, OutboxStatus.Pending, now, null, 0, null,
                    VroegTelemetry.CurrentTraceParent(), plan.EarliestSignalReceivedAt,
                    protector.Protect(JsonSerializer.SerializeToUtf8Bytes(message, CoreJson.Default.OutboundMessage), ProtectionContexts.Outbox(task.TaskId)));
                pointer = new OutboxPointer(householdKey, task.TaskId, gemeente, now);
                existingOutbox = snapshot.Outbox.FirstOrDefault(o => o.Value.TaskId == task.TaskId);
            }

            // Signals joining a case whose help was accepted: their creditors are promised feedback before the commit
            // and told after it (JoinedSignalFeedback says why this order and not a row in this transaction).
            var promised = update.CaseIsNew ? [] : await joinedFeedback.PromiseAsync(householdKey, update.Case, update.Joined, cancellationToken);
            var commit = new TriageCommit(update.Head, snapshot.Head?.Version, update.Case, caseVersion, task, existingOutbox is null ? outbox : null);
            if (!await store.CommitAsync(householdKey, commit, cancellationToken))
            {
                LogConflict(logger, step + 1);
                continue;
            }

            await joinedFeedback.ConfirmAsync(promised, cancellationToken);

            if (update.CaseIsNew)
            {
                opened++;
                telemetry.CasesOpened.Add(1, new KeyValuePair<string, object?>("gemeentecode", gemeente));
            }

            repeats += update.RepeatsWithoutTask;
            if (update.RepeatsWithoutTask > 0)
            {
                telemetry.RepeatsWithoutTask.Add(update.RepeatsWithoutTask, new KeyValuePair<string, object?>("gemeentecode", gemeente));
            }

            if (update.BelowMinimumAmount > 0)
            {
                telemetry.BelowMinimumAmount.Add(update.BelowMinimumAmount, new KeyValuePair<string, object?>("gemeentecode", gemeente));
            }

            if (task is not null && pointer is not null)
            {
                tasks++;
                telemetry.TasksCreated.Add(1, new KeyValuePair<string, object?>("priority", task.Priority.ToString()), new KeyValuePair<string, object?>("gemeentecode", gemeente));
                committed.Add(pointer);
            }

            // The household as this commit left it: when nothing is left to decide, it need not be read again.
            if (CaseComposer.Decide(AfterCommit(snapshot, commit), policy, now, urgentOnly, urgentSignals) is CaseDecision.Nothing)
            {
                break;
            }
        }

        return new TriageOutcome(opened, tasks, repeats, null, committed);
    }

    // A household whose triage crashed after its commit is not acknowledged and comes back here: its pending
    // rows are returned to be pointed at (idempotent) and announced again, in case the crash came before that.
    private static IEnumerable<OutboxPointer> Repoint(string householdKey, HouseholdSnapshot snapshot) =>
        snapshot.Outbox.Where(o => o.Value.Status == OutboxStatus.Pending)
            .Select(row => new OutboxPointer(householdKey, row.Value.TaskId, row.Value.Gemeentecode, row.Value.CreatedAt));

    // The snapshot with the commit applied (versions unknown: only used to decide whether anything is left).
    private static HouseholdSnapshot AfterCommit(HouseholdSnapshot snapshot, TriageCommit commit)
    {
        var cases = snapshot.Cases.Where(c => c.Value.CaseId != commit.Case.CaseId).Append(new Versioned<HouseholdCase>(commit.Case, string.Empty)).ToList();
        var tasks = commit.Task is null ? snapshot.Tasks : [.. snapshot.Tasks, commit.Task];
        var outbox = commit.Outbox is null ? snapshot.Outbox : [.. snapshot.Outbox, new Versioned<OutboxEntry>(commit.Outbox, string.Empty)];
        return snapshot with { Head = new Versioned<HouseholdHead>(commit.Head, string.Empty), Cases = cases, Tasks = tasks, Outbox = outbox };
    }

    // Internal: escalation (OverdueEscalation) builds its revision's message the same way.
    internal OutboundMessage BuildMessage(OutreachTask task, IReadOnlyList<StoredSignal> signals, string? traceParent)
    {
        var clients = signals.Select(s => (s.PersonKey, Client: protector.ReadPersonal(s))).ToList();
        var address = clients[0].Client;
        var persons = clients.GroupBy(c => c.PersonKey, StringComparer.Ordinal)
            .Select(g => g.Last().Client)
            .Select(c => new OutreachPerson(c.Voorletters, c.Voorvoegsel, c.Achternaam, c.Telefoonnummer, c.Email))
            .ToList();
        var body = new OutreachTaskMessage
        {
            TaskId = task.TaskId,
            CaseId = task.CaseId,
            Revision = task.Revision,
            CreatedAt = task.CreatedAt,
            Gemeentecode = task.Area.Gemeentecode,
            Wijkcode = task.Area.Wijkcode,
            Buurtcode = task.Area.Buurtcode,
            Team = task.Team,
            Priority = task.Priority.ToString(),
            Score = task.Score,
            Reasons = task.Reasons.Select(r => new OutreachReason(r.Code, r.Text)).ToList(),
            RecommendedChannel = task.Channel.ToDdas(),
            DueDate = task.DueDate,
            PolicyVersion = task.PolicyVersion,
            Signals = signals.OrderBy(s => s.Signaaldatum).Select(s => new OutreachSignalSummary(
                s.SignalId, s.CreditorId, s.PartnerType.ToDdas(), s.Bedrag, s.Ontstaansdatum, s.Signaaldatum,
                s.Crisissignaal, s.WarmeOverdracht, s.Eindeleveringsdatum)).ToList(),
            Household = new OutreachHousehold(
                new OutreachAddress(address.Straatnaam, address.Huisnummer, address.Huisnummertoevoeging, address.Postcode, address.Plaatsnaam),
                persons),
        };

        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gemeentecode"] = task.Area.Gemeentecode,
            ["wijk"] = task.Area.Wijkcode,
            ["team"] = task.Team,
            ["priority"] = task.Priority.ToString(),
        };
        if (traceParent is not null)
        {
            properties["traceparent"] = traceParent;
        }

        return new OutboundMessage
        {
            MessageId = task.TaskId,
            Subject = OutreachTaskMessage.SchemaVersionV1,
            CorrelationId = task.CaseId,
            SessionId = task.CaseId,
            TimeToLive = outreachOptions.Value.TimeToLive,
            ApplicationProperties = properties,
            Body = JsonSerializer.Serialize(body, CoreJson.Default.OutreachTaskMessage),
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Household changed during triage (attempt {Attempt}); reading it again")]
    private static partial void LogConflict(ILogger logger, int attempt);
}
