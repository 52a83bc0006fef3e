using System.Globalization;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Functions.Hosting;

namespace VroegSignalering.Functions.SweepOutbox;

/// <summary>Timer (SweepOutboxSchedule): sends outbox rows the happy path left behind. Nothing is lost between commit and send.</summary>
public sealed class SweepOutbox(OutboxDispatcher dispatcher) : IFunction
{
    public string Name => "SweepOutbox";

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var summary = await dispatcher.SweepAsync(cancellationToken);
        return InvocationResult.Success().WithLog(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Sent} sent, {summary.AlreadySent} already sent, {summary.FailedPermanently} failed, {summary.FailedTransiently} retry later, {summary.Dangling} dangling pointers removed"));
    }
}
