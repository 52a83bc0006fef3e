using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Functions.Triage;

/// <summary>Timer (NCRONTAB from the TriageCasesSchedule setting, every 5 minutes in production): triages changed households.</summary>
public sealed class TriageCases(TriageSweep sweep)
{
    /// <summary>The app setting holding the schedule.</summary>
    public const string Schedule = "%TriageCasesSchedule%";

    [Function(nameof(TriageCases))]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) => sweep.RunAsync(cancellationToken);
}
