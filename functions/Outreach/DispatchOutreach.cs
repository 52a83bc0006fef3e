using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Functions.Outreach;

/// <summary>
/// Queue trigger on the dispatch queue: sends the tasks a triage run announced, in one publish for the
/// batch. When a send failed transiently the invocation fails, so the queue retries the message; the
/// SweepOutbox timer is the backstop either way.
/// </summary>
public sealed class DispatchOutreach(IDispatchQueue queue, OutboxDispatcher dispatcher)
{
    [Function(nameof(DispatchOutreach))]
    public async Task RunAsync([QueueTrigger(DispatchQueue.TriggerQueue)] string message, CancellationToken cancellationToken)
    {
        var summary = await dispatcher.DispatchAsync(queue.Decode(message), cancellationToken);
        if (summary.FailedTransiently > 0)
        {
            throw new DispatchIncompleteException(summary);
        }
    }
}

/// <summary>Some announced tasks could not be sent yet; the message is retried and the sweeper sends them later.</summary>
public sealed class DispatchIncompleteException(DispatchSummary summary)
    : Exception($"{summary.FailedTransiently} task(s) not sent yet ({summary.Sent} sent, {summary.AlreadySent} already sent, {summary.FailedPermanently} failed); retrying");
