using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Escalation;

/// <summary>Lists the cases escalation looks at: those whose team has recorded nothing yet.</summary>
public interface ICasesAwaitingContact
{
    /// <summary>Cases in status Triaged or TaskDispatched, across every household (a full scan of the case rows).</summary>
    IAsyncEnumerable<(string HouseholdKey, HouseholdCase Case)> ScanCasesAwaitingContactAsync(CancellationToken cancellationToken);
}

/// <summary>What one EscalateOverdue run did.</summary>
/// <param name="Overdue">Tasks found past their due date without a contact attempt (the gauge vroeg.escalation.overdue_tasks).</param>
/// <param name="Escalated">Escalation revisions this run committed (another run may have committed the rest).</param>
public sealed record EscalationSummary(int Overdue, int Escalated);

/// <summary>
/// The escalation rules (docs/triage.md, "Escalatie"). Pure: a task is overdue from the day after its due date (Dutch
/// local date); its escalation revision keeps the task's priority, score, channel, team and signals, adds the reason
/// <see cref="TriagePolicy.Codes.EscalatedOverdue"/> (no points) in front, and gets a new due date by the norm of its
/// priority counted from the day of escalation (<see cref="TriagePolicy.DueDate"/>). That new due date starts the next
/// overdue period.
/// </summary>
public static class EscalationRules
{
    /// <summary>The due date is the last day for the first attempt: overdue once that day has passed in the Netherlands.</summary>
    public static bool IsOverdue(DateOnly dueDate, DateTimeOffset now) => DutchCalendar.LocalDate(now) > dueDate;

    /// <summary>The escalation revision of <paramref name="task"/> (the case's latest), made at <paramref name="now"/>.</summary>
    public static OutreachTask Escalate(OutreachTask task, GemeentePolicy policy, DateTimeOffset now)
    {
        var today = DutchCalendar.LocalDate(now);
        var revision = task.Revision + 1;
        var reason = new TriageReason(
            TriagePolicy.Codes.EscalatedOverdue,
            $"Geen contactpoging vóór de uiterste datum {task.DueDate.ToString("d-M-yyyy", CultureInfo.InvariantCulture)}: opnieuw uitgezet (escalatie)",
            0);

        // An earlier escalation's reason is replaced, not repeated: the text names the date that was missed this time.
        var reasons = task.Reasons.Where(r => r.Code != TriagePolicy.Codes.EscalatedOverdue).Prepend(reason).ToList();

        // The latency clock (signal → task) starts at the escalation: no new signal brought this revision.
        return task with
        {
            TaskId = CaseComposer.TaskId(task.CaseId, revision),
            Revision = revision,
            Reasons = reasons,
            DueDate = TriagePolicy.DueDate(task.Priority, today, policy),
            CreatedAt = now,
            EarliestSignalReceivedAt = now,
        };
    }
}

/// <summary>
/// EscalateOverdue: gives every task that is past its due date without a contact attempt a new revision with the reason
/// ESCALATED_OVERDUE, committed as triage commits a revision (head + case + task + outbox row in one transaction in the
/// household partition, ETag-guarded) and announced to the dispatcher like any revision.
/// <para>
/// Once per overdue period: the revision's id is the case's next revision, the commit is guarded by the case's ETag,
/// and the committed revision carries a due date in the future, so a rerun, a second run at the same time (its commit
/// fails, its re-read finds the escalated revision not overdue) or a retry after a crash finds nothing more to do.
/// A crash after the commit and before the pointer is covered as triage covers it: the households are marked changed
/// before the commit, so TriageCases points at and announces their still-pending rows; the mark is left for it.
/// </para>
/// </summary>
public sealed partial class OverdueEscalation(
    ICasesAwaitingContact cases,
    IHouseholdStore store,
    IOutcomeStore outcomes,
    IHouseholdChangeFeed changes,
    IOutboxIndex index,
    IDispatchQueue dispatch,
    HouseholdTriage triage,
    IPersonalDataProtector protector,
    IOptionsMonitor<TriageOptions> triageOptions,
    TimeProvider time,
    VroegTelemetry telemetry,
    ILogger<OverdueEscalation> logger)
{
    private const int MaxSteps = 4;

    public async Task<EscalationSummary> RunAsync(CancellationToken cancellationToken)
    {
        // Not triage's stage: an hourly scan would blur the per-signal triage figure of a benchmark run it falls into.
        using var stage = WorkStage.Enter(WorkStage.Other);
        var now = time.GetUtcNow();

        // The case row carries its latest task's due date; a row without one (written before it was recorded) is
        // checked against its task row below.
        var candidates = new List<(string HouseholdKey, HouseholdCase Case)>();
        await foreach (var (household, @case) in cases.ScanCasesAwaitingContactAsync(cancellationToken))
        {
            if (@case.LastTaskId is not null && (@case.DueDate is not { } due || EscalationRules.IsOverdue(due, now)))
            {
                candidates.Add((household, @case));
            }
        }

        var overdue = 0;
        var pointers = new List<OutboxPointer>();
        if (candidates.Count > 0)
        {
            // Marked before any commit: should this run stop after a commit, TriageCases hands the pending row on.
            var marked = new HashSet<string>(StringComparer.Ordinal);
            var marks = candidates.Where(c => c.Case.DueDate is not null && marked.Add(c.HouseholdKey))
                .Select(c => new HouseholdChange(c.HouseholdKey, c.Case.Area.Gemeentecode, now)).ToList();
            if (marks.Count > 0)
            {
                await changes.MarkChangedAsync(marks, cancellationToken);
            }

            foreach (var (household, @case) in candidates)
            {
                var result = await EscalateAsync(household, @case.CaseId, @case.DueDate is null && !marked.Contains(household), now, cancellationToken);
                if (result.Overdue)
                {
                    overdue++;
                }

                if (result.Pointer is { } pointer)
                {
                    pointers.Add(pointer);
                }
            }
        }

        if (pointers.Count > 0)
        {
            await index.AddManyAsync(pointers, OutboxIndexState.Pending, cancellationToken);
            await dispatch.EnqueueAsync(pointers, cancellationToken);
        }

        telemetry.EscalationOverdue.Record(overdue);
        if (overdue > 0)
        {
            LogRun(logger, overdue, pointers.Count);
        }

        return new EscalationSummary(overdue, pointers.Count);
    }

    private async Task<(bool Overdue, OutboxPointer? Pointer)> EscalateAsync(string household, string caseId, bool markFirst, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var marked = !markFirst;
        for (var step = 0; step < MaxSteps; step++)
        {
            var snapshot = await store.LoadAsync(household, cancellationToken);
            var current = snapshot.Cases.FirstOrDefault(c => c.Value.CaseId == caseId);
            if (current is null || snapshot.Head is null
                || current.Value.Status is not (CaseStatus.Triaged or CaseStatus.TaskDispatched)
                || snapshot.Tasks.FirstOrDefault(t => t.TaskId == current.Value.LastTaskId) is not { } task
                || !EscalationRules.IsOverdue(task.DueDate, now))
            {
                return (false, null);
            }

            // The status says no attempt was recorded; the outcome rows are the record itself, so they are asked too.
            var outcome = await outcomes.GetOutcomeAsync(household, caseId, cancellationToken);
            if (outcome is { Attempts: > 0 } || (await outcomes.ListAttemptsAsync(household, caseId, cancellationToken)).Count > 0)
            {
                return (false, null);
            }

            if (!marked)
            {
                await changes.MarkChangedAsync([new HouseholdChange(household, current.Value.Area.Gemeentecode, now)], cancellationToken);
                marked = true;
            }

            var gemeente = current.Value.Area.Gemeentecode;
            var policy = triageOptions.CurrentValue.For(gemeente);
            var escalated = EscalationRules.Escalate(task, policy, now);
            var signals = snapshot.Signals.Where(s => task.SignalIds.Contains(s.SignalId, StringComparer.Ordinal)).ToList();
            if (signals.Count == 0)
            {
                // The revision's message needs the household's contact details; without its signals there is nothing to send.
                LogNoSignals(logger, task.TaskId);
                return (true, null);
            }

            using var activity = VroegTelemetry.Source.StartActivity("escalation.task");
            activity?.SetTag("vroeg.task", escalated.TaskId);
            activity?.SetTag("vroeg.priority", escalated.Priority.ToString());
            activity?.SetTag("vroeg.gemeente", gemeente);
            var message = triage.BuildMessage(escalated, signals, VroegTelemetry.CurrentTraceParent());
            var outbox = new OutboxEntry(escalated.TaskId, caseId, gemeente, OutboxStatus.Pending, now, null, 0, null,
                VroegTelemetry.CurrentTraceParent(), escalated.EarliestSignalReceivedAt,
                protector.Protect(JsonSerializer.SerializeToUtf8Bytes(message, CoreJson.Default.OutboundMessage), ProtectionContexts.Outbox(escalated.TaskId)));
            var @case = current.Value.MoveTo(CaseStatus.Triaged, now) with
            {
                Revision = escalated.Revision,
                LastTaskId = escalated.TaskId,
                DueDate = escalated.DueDate,
            };
            var commit = new TriageCommit(snapshot.Head.Value with { UpdatedAt = now }, snapshot.Head.Version, @case, current.Version, escalated, outbox);
            if (await store.CommitAsync(household, commit, cancellationToken))
            {
                telemetry.TasksCreated.Add(1, new KeyValuePair<string, object?>("priority", escalated.Priority.ToString()), new KeyValuePair<string, object?>("gemeentecode", gemeente));
                return (true, new OutboxPointer(household, escalated.TaskId, gemeente, now));
            }

            // Another writer came first (a second run, triage, the team's attempt): read again and decide anew.
            LogConflict(logger, step + 1);
        }

        return (true, null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "EscalateOverdue: {Overdue} tasks overdue without a contact attempt, {Escalated} escalation revisions committed")]
    private static partial void LogRun(ILogger logger, int overdue, int escalated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} is overdue but none of its signals is stored: no escalation revision")]
    private static partial void LogNoSignals(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Household changed during escalation (attempt {Attempt}); reading it again")]
    private static partial void LogConflict(ILogger logger, int attempt);
}
