using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Functions.Outreach;

/// <summary>Timer (SweepOutboxSchedule): sends outbox rows the happy path left behind. Nothing is lost between commit and send.</summary>
public sealed class SweepOutbox(OutboxDispatcher dispatcher)
{
    /// <summary>The app setting holding the schedule.</summary>
    public const string Schedule = "%SweepOutboxSchedule%";

    [Function(nameof(SweepOutbox))]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) => dispatcher.SweepAsync(cancellationToken);
}
