using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Reporting;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg verify</c>: checks "nothing lost, nothing doubled" from storage and the local topic alone
/// (<see cref="DeliveryVerifier"/>), prints a table and optionally writes JSON; exits 1 on any loss or double,
/// or when there is nothing to verify. scripts/crash-test.sh runs it after killing the app.
/// </summary>
internal static class VerifyCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var json = CommandHelpers.PathOption("--json", "Also write the verification as JSON to this file.");
        var command = new Command("verify", "Check from storage and the local topic that every accepted signal is stored or quarantined once, every case revision has one task, and every task is in its gemeente's queue once (messages are read and left in place).")
        {
            json,
        };
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var result = await services.GetRequiredService<DeliveryVerifier>().VerifyAsync(ct);
            if (parseResult.ResolvePath(json, env) is { } path)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, Json) + "\n", ct);
            }

            await env.Out.WriteAsync(ToTable(result));
            if (result.Accepted == 0)
            {
                await env.Error.WriteLineAsync("vroeg verify: no accepted signal in storage: nothing to verify, which proves nothing");
            }

            return result.Holds ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    internal static string ToTable(DeliveryVerification v)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"receipts {v.Receipts}, accepted {v.Accepted}, stored {v.Stored}, quarantined {v.Quarantined}, cases {v.Cases}, tasks {v.Tasks}, task messages {v.TaskMessages}, poison (parked) {v.Poison}\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"  {"guarantee",-54}{"checked",9}{"lost",7}{"doubled",9}\n");
        foreach (var g in v.Guarantees)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {g.Name,-54}{g.Checked,9}{g.Lost,7}{g.Doubled,9}\n");
            foreach (var id in g.LostIds)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    lost:    {id}\n");
            }

            foreach (var id in g.DoubledIds)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    doubled: {id}\n");
            }
        }

        sb.Append(CultureInfo.InvariantCulture, $"\n{(v.Holds ? "verified" : "NOT verified")}: lost {v.Lost}, doubled {v.Doubled}\n");
        return sb.ToString();
    }
}
