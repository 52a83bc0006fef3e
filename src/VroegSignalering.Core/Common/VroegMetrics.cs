using System.Reflection;

namespace VroegSignalering.Core.Common;

/// <summary>
/// The name of every metric the app emits, in one place: instruments are created with these constants,
/// and the infrastructure tests read them (by reflection) to check that the workbook shows each one and
/// that every metric an alert queries exists. A metric renamed here without the workbook fails a test.
/// </summary>
public static class VroegMetrics
{
    public const string SignalsAccepted = "vroeg.intake.signals.accepted";
    public const string SignalsRejected = "vroeg.intake.signals.rejected";
    public const string SignalsDuplicate = "vroeg.intake.signals.duplicate";
    public const string SignalsQuarantined = "vroeg.intake.signals.quarantined";
    public const string SignalsStored = "vroeg.processing.signals.stored";
    public const string CasesOpened = "vroeg.cases.opened";
    public const string TasksCreated = "vroeg.triage.tasks";
    public const string RepeatsWithoutTask = "vroeg.triage.repeats_without_task";
    public const string BelowMinimumAmount = "vroeg.triage.below_minimum_amount";
    public const string SignalToTask = "vroeg.pipeline.signal_to_task.seconds";
    public const string TasksDispatched = "vroeg.dispatch.tasks.dispatched";
    public const string OutboxMarkedFailed = "vroeg.outbox.marked_failed";

    // Each HTTP attempt of the app's storage clients, by stage, service, operation and target (StorageRequestCounter).
    public const string StorageRequests = "vroeg.storage.requests";

    // The Service Bus transport's own counters (it creates them on the same meter).
    public const string PublishSent = "vroeg.dispatch.publish.sent";
    public const string PublishFailed = "vroeg.dispatch.publish.failed";

    // Recorded once per run of the SamplePipeline timer, on the instance that ran it.
    public const string Heartbeat = "vroeg.pipeline.heartbeat";
    public const string QueueLength = "vroeg.queue.length";
    public const string QueueAge = "vroeg.queue.age.seconds";
    public const string PoisonLength = "vroeg.queue.poison.length";
    public const string PoisonAge = "vroeg.queue.poison.age.seconds";
    public const string OutboxPending = "vroeg.outbox.pending";
    public const string OutboxPendingAge = "vroeg.outbox.pending.age.seconds";
    public const string OutboxFailed = "vroeg.outbox.failed";
    public const string Quarantined = "vroeg.quarantine.signals";
    public const string QuarantineAge = "vroeg.quarantine.age.seconds";
    public const string QuarantineOverdue = "vroeg.quarantine.overdue";

    // Recorded once per run of the EscalateOverdue timer: tasks past their due date without a contact attempt.
    public const string EscalationOverdue = "vroeg.escalation.overdue_tasks";

    /// <summary>Every name above.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(VroegMetrics)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();
}
