using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Escalation;

namespace VroegSignalering.Functions.Triage;

/// <summary>
/// Timer (EscalateOverdueSchedule, hourly in production): gives tasks past their due date without a contact attempt an
/// escalation revision (reason ESCALATED_OVERDUE), dispatched like any revision; records vroeg.escalation.overdue_tasks.
/// </summary>
public sealed class EscalateOverdue(OverdueEscalation escalation)
{
    /// <summary>The app setting holding the schedule.</summary>
    public const string Schedule = "%EscalateOverdueSchedule%";

    [Function(nameof(EscalateOverdue))]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) => escalation.RunAsync(cancellationToken);
}
