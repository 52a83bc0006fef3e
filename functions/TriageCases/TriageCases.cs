using System.Globalization;
using VroegSignalering.Core.Households;
using VroegSignalering.Functions.Hosting;

namespace VroegSignalering.Functions.TriageCases;

/// <summary>Timer (NCRONTAB from TriageCasesSchedule, default every 5 minutes): triages changed households.</summary>
public sealed class TriageCases(TriageSweep sweep) : IFunction
{
    public string Name => "TriageCases";

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var summary = await sweep.RunAsync(cancellationToken);
        return InvocationResult.Success().WithLog(summary.WaitingForIntake
            ? "waiting for the intake backlog"
            : string.Create(CultureInfo.InvariantCulture, $"{summary.Households} households, {summary.CasesOpened} cases opened, {summary.TasksCreated} tasks, {summary.Waiting} settling"));
    }
}
