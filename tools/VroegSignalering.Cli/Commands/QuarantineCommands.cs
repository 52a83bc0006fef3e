using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Cli.Commands;

/// <summary><c>vroeg quarantine list</c>: signals that could not be routed, with their reasons (content stays encrypted).</summary>
internal static class QuarantineCommands
{
    public static Command Create(CliEnvironment env)
    {
        var quarantine = new Command("quarantine", "Signals held back because their address could not be routed.");
        var pipeline = new PipelineOptions();
        var receipt = new Option<string>("--receipt") { Description = "Only this receipt's signals.", HelpName = "receiptId" };
        var list = new Command("list", "List quarantined signals: receipt, signal id, creditor, reason.") { receipt };
        pipeline.AddTo(list);
        list.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var items = await services.GetRequiredService<IQuarantineStore>().ListAsync(parseResult.GetValue(receipt), ct);
            foreach (var q in items.OrderBy(q => q.QuarantinedAt))
            {
                await env.Out.WriteLineAsync($"{q.QuarantinedAt:yyyy-MM-dd HH:mm:ss}  {q.ReceiptId}  {q.SignalId}  {q.CreditorId}  {q.ReasonCode}: {q.Reason}");
            }

            foreach (var g in items.GroupBy(q => q.ReasonCode))
            {
                await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{g.Count(),6} {g.Key}"));
            }

            return ExitCodes.Success;
        });
        quarantine.Subcommands.Add(list);
        return quarantine;
    }
}
