using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Functions.Intake;

/// <summary>
/// Queue trigger on the signals-intake queue: one chunk of accepted signals is routed, pseudonymised,
/// encrypted and stored per household, then households with an urgent signal take the crisis fast path,
/// and only then is the chunk recorded as processed on its receipt.
/// A failure throws: the queue retries the message (host.json visibilityTimeout, maxDequeueCount), then
/// moves it to the poison queue. Every step is idempotent, so a retry changes nothing twice.
/// </summary>
public sealed class ProcessSignals(ISignalQueue queue, SignalProcessor processor, UrgentTriage urgent)
{
    [Function(nameof(ProcessSignals))]
    public async Task RunAsync([QueueTrigger(SignalQueue.TriggerQueue)] string message, CancellationToken cancellationToken)
    {
        var outcome = await processor.ProcessAsync(queue.Decode(message), cancellationToken);
        await urgent.RunAsync(outcome.UrgentHouseholds, cancellationToken);
        await processor.CompleteAsync(outcome, cancellationToken);
    }
}
