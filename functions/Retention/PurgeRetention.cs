using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Azure.Retention;

namespace VroegSignalering.Functions.Retention;

/// <summary>
/// Timer (RetentionSchedule, daily at night): deletes personal data past its term (Retention:Default, Retention:Gemeenten)
/// and keeps what it counted for reports and DDAS. A failed run throws, so the host records a failed invocation
/// (the alert in infra counts those); the next run finishes what this one left half done.
/// </summary>
public sealed class PurgeRetention(RetentionPurger purger)
{
    /// <summary>The app setting holding the schedule.</summary>
    public const string Schedule = "%RetentionSchedule%";

    [Function(nameof(PurgeRetention))]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) => purger.RunAsync(dryRun: false, progress: null, cancellationToken);
}
