using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Functions.Health;

/// <summary>
/// Timer (PipelineGaugesSchedule, every minute): samples queues, poison queues, outbox and quarantine and
/// records them as metrics with a heartbeat. A timer runs on one instance at a time, so the figures are
/// counted once per interval however far the app scales out, and stop when the app is down.
/// </summary>
public sealed class SamplePipeline(PipelineSampler sampler)
{
    /// <summary>The app setting holding the schedule.</summary>
    public const string Schedule = "%PipelineGaugesSchedule%";

    [Function(nameof(SamplePipeline))]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) => sampler.SampleAsync(cancellationToken);
}
