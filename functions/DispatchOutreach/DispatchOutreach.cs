using System.Globalization;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Functions.Hosting;

namespace VroegSignalering.Functions.DispatchOutreach;

/// <summary>
/// Queue trigger on dispatch: sends the task a triage commit announced. A transient send failure replies
/// 503 so the message is retried; the SweepOutbox timer is the backstop either way.
/// </summary>
public sealed class DispatchOutreach(OutboxDispatcher dispatcher) : IFunction
{
    public string Name => "DispatchOutreach";

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var pointer = QueueMessageCodec.DecodePointer(request.BindingJson("dispatch"));
        var summary = await dispatcher.DispatchAsync([pointer], cancellationToken);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"task {pointer.TaskId}: {summary.Sent} sent, {summary.AlreadySent} already sent, {summary.FailedPermanently} failed");
        return summary.FailedTransiently > 0 ? InvocationResult.RetryLater(line) : InvocationResult.Success().WithLog(line);
    }
}
