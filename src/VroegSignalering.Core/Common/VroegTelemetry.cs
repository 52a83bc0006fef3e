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
        SignalsAccepted = _meter.CreateCounter<long>("vroeg.intake.signals.accepted", "{signal}", "Signals accepted at intake");
        SignalsRejected = _meter.CreateCounter<long>("vroeg.intake.signals.rejected", "{signal}", "Rows rejected at intake, by error code");
        SignalsDuplicate = _meter.CreateCounter<long>("vroeg.intake.signals.duplicate", "{signal}", "Rows already received with identical content");
        SignalsStored = _meter.CreateCounter<long>("vroeg.processing.signals.stored", "{signal}", "Signals stored in their household partition");
        SignalsQuarantined = _meter.CreateCounter<long>("vroeg.intake.signals.quarantined", "{signal}", "Signals quarantined (address not routable or ambiguous), by reason");
        CasesOpened = _meter.CreateCounter<long>("vroeg.cases.opened", "{case}", "Cases opened, by gemeentecode");
        TasksCreated = _meter.CreateCounter<long>("vroeg.triage.tasks", "{task}", "Outreach tasks created, by priority and gemeente");
        RepeatsWithoutTask = _meter.CreateCounter<long>("vroeg.triage.repeats_without_task", "{signal}", "Repeat signals that created no new outreach");
        BelowMinimumAmount = _meter.CreateCounter<long>("vroeg.triage.below_minimum_amount", "{signal}", "Signals under a gemeente's minimum amount (counted, never dropped)");
        SignalToTask = _meter.CreateHistogram<double>("vroeg.pipeline.signal_to_task.seconds", "s", "Time from a signal's receipt to its task's dispatch");
        TasksDispatched = _meter.CreateCounter<long>("vroeg.dispatch.tasks.dispatched", "{task}", "Tasks handed to the broker");
        OutboxMarkedFailed = _meter.CreateCounter<long>("vroeg.outbox.marked_failed", "{task}", "Outbox rows marked failed permanently, by reason (the gauge vroeg.outbox.failed counts those still waiting)");
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

    /// <summary>Observable gauges are registered by the adapters that can read the values.</summary>
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
