using System.Globalization;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Functions.Hosting;

namespace VroegSignalering.Functions.DispatchOutreach;

/// <summary>
/// Queue trigger on dispatch: sends the tasks a triage run announced (one publish for the batch). A transient send failure replies
/// 503 so the message is retried; the SweepOutbox timer is the backstop either way.
/// </summary>
public sealed class DispatchOutreach(OutboxDispatcher dispatcher) : IFunction
{
    public string Name => "DispatchOutreach";

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var pointers = QueueMessageCodec.DecodePointers(request.BindingJson("dispatch"));
        var summary = await dispatcher.DispatchAsync(pointers, cancellationToken);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{pointers.Count} task(s): {summary.Sent} sent, {summary.AlreadySent} already sent, {summary.FailedPermanently} failed");
        return summary.FailedTransiently > 0 ? InvocationResult.RetryLater(line) : InvocationResult.Success().WithLog(line);
    }
}
