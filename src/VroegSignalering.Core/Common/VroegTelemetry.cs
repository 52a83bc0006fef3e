using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace VroegSignalering.Core.Common;

/// <summary>
/// The one ActivitySource and Meter of the pipeline. Tags carry codes, counts, gemeente codes and
/// priorities only, never personal data.
/// </summary>
public sealed class VroegTelemetry : IDisposable
{
    public const string Name = "VroegSignalering";

    public static readonly ActivitySource Source = new(Name, "1.0");

    private readonly Meter _meter;

    public VroegTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name, "1.0");
        SignalsAccepted = _meter.CreateCounter<long>(VroegMetrics.SignalsAccepted, "{signal}", "Signals accepted at intake");
        SignalsRejected = _meter.CreateCounter<long>(VroegMetrics.SignalsRejected, "{signal}", "Rows rejected at intake, by error code");
        SignalsDuplicate = _meter.CreateCounter<long>(VroegMetrics.SignalsDuplicate, "{signal}", "Rows already received with identical content");
        SignalsStored = _meter.CreateCounter<long>(VroegMetrics.SignalsStored, "{signal}", "Signals stored in their household partition");
        SignalsQuarantined = _meter.CreateCounter<long>(VroegMetrics.SignalsQuarantined, "{signal}", "Signals quarantined (address not routable or ambiguous), by reason");
        CasesOpened = _meter.CreateCounter<long>(VroegMetrics.CasesOpened, "{case}", "Cases opened, by gemeentecode");
        TasksCreated = _meter.CreateCounter<long>(VroegMetrics.TasksCreated, "{task}", "Outreach tasks created, by priority and gemeente");
        RepeatsWithoutTask = _meter.CreateCounter<long>(VroegMetrics.RepeatsWithoutTask, "{signal}", "Repeat signals that created no new outreach");
        BelowMinimumAmount = _meter.CreateCounter<long>(VroegMetrics.BelowMinimumAmount, "{signal}", "Signals under a gemeente's minimum amount (counted, never dropped)");
        SignalToTask = _meter.CreateHistogram<double>(VroegMetrics.SignalToTask, "s", "Time from a signal's receipt to its task's dispatch");
        TasksDispatched = _meter.CreateCounter<long>(VroegMetrics.TasksDispatched, "{task}", "Tasks handed to the broker");
        OutboxMarkedFailed = _meter.CreateCounter<long>(VroegMetrics.OutboxMarkedFailed, "{task}", "Outbox rows marked failed permanently, by reason (the gauge vroeg.outbox.failed counts those still waiting)");

        // Synchronous gauges, recorded by one SamplePipeline run: exported once per record, so when the
        // timer stops (the app is down) the figures stop, and the heartbeat alert sees the silence.
        Heartbeat = _meter.CreateCounter<long>(VroegMetrics.Heartbeat, "{sample}", "One per pipeline sample: silence means the app or its timers are down");
        QueueLength = _meter.CreateGauge<long>(VroegMetrics.QueueLength, "{message}", "Approximate messages per queue");
        QueueAge = _meter.CreateGauge<double>(VroegMetrics.QueueAge, "s", "Age of the oldest visible message per queue");
        PoisonLength = _meter.CreateGauge<long>(VroegMetrics.PoisonLength, "{message}", "Messages in each queue's poison queue");
        PoisonAge = _meter.CreateGauge<double>(VroegMetrics.PoisonAge, "s", "Time since the oldest message of each poison queue was poisoned");
        OutboxPending = _meter.CreateGauge<long>(VroegMetrics.OutboxPending, "{task}", "Outbox rows not sent yet");
        OutboxPendingAge = _meter.CreateGauge<double>(VroegMetrics.OutboxPendingAge, "s", "Age of the oldest outbox row not sent yet");
        OutboxFailed = _meter.CreateGauge<long>(VroegMetrics.OutboxFailed, "{task}", "Outbox rows that failed permanently and wait for `vroeg outbox retry`");
        Quarantined = _meter.CreateGauge<long>(VroegMetrics.Quarantined, "{signal}", "Signals in quarantine (address not routable or ambiguous)");
        QuarantineAge = _meter.CreateGauge<double>(VroegMetrics.QuarantineAge, "s", "Age of the oldest quarantined signal");
        QuarantineOverdue = _meter.CreateGauge<long>(VroegMetrics.QuarantineOverdue, "{signal}", "Signals in quarantine longer than Quarantine:AlertAfterDays");
        EscalationOverdue = _meter.CreateGauge<long>(VroegMetrics.EscalationOverdue, "{task}", "Tasks found past their due date without a contact attempt by one EscalateOverdue run (each gets an escalation revision)");
    }

    public Counter<long> SignalsAccepted { get; }

    public Counter<long> SignalsRejected { get; }

    public Counter<long> SignalsDuplicate { get; }

    public Counter<long> SignalsStored { get; }

    public Counter<long> SignalsQuarantined { get; }

    public Counter<long> CasesOpened { get; }

    public Counter<long> TasksCreated { get; }

    public Counter<long> RepeatsWithoutTask { get; }

    public Counter<long> BelowMinimumAmount { get; }

    public Histogram<double> SignalToTask { get; }

    public Counter<long> TasksDispatched { get; }

    public Counter<long> OutboxMarkedFailed { get; }

    public Counter<long> Heartbeat { get; }

    public Gauge<long> QueueLength { get; }

    public Gauge<double> QueueAge { get; }

    public Gauge<long> PoisonLength { get; }

    public Gauge<double> PoisonAge { get; }

    public Gauge<long> OutboxPending { get; }

    public Gauge<double> OutboxPendingAge { get; }

    public Gauge<long> OutboxFailed { get; }

    public Gauge<long> Quarantined { get; }

    public Gauge<double> QuarantineAge { get; }

    public Gauge<long> QuarantineOverdue { get; }

    public Gauge<long> EscalationOverdue { get; }

    /// <summary>For adapters that own an instrument (the Service Bus transport); names come from <see cref="VroegMetrics"/>.</summary>
    public Meter Meter => _meter;

    public void Dispose() => _meter.Dispose();

    /// <summary>W3C traceparent of the current activity, to carry through queues and messages.</summary>
    public static string? CurrentTraceParent() => Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null;

    /// <summary>Starts an activity whose parent is the traceparent a message carried (not the ambient one).</summary>
    public static Activity? StartFromTraceParent(string name, string? traceParent, ActivityKind kind = ActivityKind.Consumer)
    {
        if (traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent))
        {
            return Source.StartActivity(name, kind, parent);
        }

        return Source.StartActivity(name, kind);
    }
}
