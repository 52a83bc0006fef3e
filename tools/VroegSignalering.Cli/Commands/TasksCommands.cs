using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg tasks tail --gemeente 0363</c>: shows outreach tasks arriving on a gemeente's partition of the local
/// topic (the stand-in for its Service Bus subscription), as the team's system would receive them.
/// </summary>
internal static class TasksCommands
{
    public static Command Create(CliEnvironment env)
    {
        var tasks = new Command("tasks", "Outreach tasks on the local topic (the stand-in for the Service Bus topic).");
        tasks.Subcommands.Add(Tail(env));
        return tasks;
    }

    private static Command Tail(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var gemeente = CommandHelpers.GemeenteOption("Four-digit gemeentecode (0363, or GM0363).");
        var consume = new Option<bool>("--consume") { Description = "Remove each task from the topic after showing it (act as the team's consumer, receive-and-delete). Default: only look (a peek: nothing changes)." };
        var follow = new Option<bool>("--follow") { Description = "Keep waiting for new tasks until Ctrl-C." };
        var max = CommandHelpers.IntOption("--max", "Stop after this many tasks.", 1000, min: 1);
        var command = new Command("tail", "Show outreach tasks arriving for a gemeente.") { gemeente, consume, follow, max };
        pipeline.AddTo(command);

        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var code = parseResult.GetValue(gemeente)!;
            var topic = services.GetRequiredService<LocalTopic>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var limit = parseResult.GetValue(max);
            async Task<bool> ShowAsync(LocalServiceBusMessage envelope)
            {
                if (seen.Count >= limit || !seen.Add(envelope.MessageId))
                {
                    return false;
                }

                await env.Out.WriteLineAsync(Describe(envelope));
                return true;
            }

            await env.Out.WriteLineAsync($"{"received",-20} {"priority",-8} {"score",5}  {"due",-10}  {"team",-22} task / reasons");
            while (seen.Count < limit && !ct.IsCancellationRequested)
            {
                if (!await topic.ExistsAsync(ct))
                {
                    if (!parseResult.GetValue(follow))
                    {
                        break;
                    }

                    await env.Delay(TimeSpan.FromSeconds(2), ct);
                    continue;
                }

                var progressed = 0;
                if (parseResult.GetValue(consume))
                {
                    // No more than --max still allows: each received task is deleted, so each must be shown.
                    foreach (var m in await topic.ReceiveAndDeleteAsync(code, Math.Min(100, limit - seen.Count), ct))
                    {
                        await ShowAsync(m);
                        progressed++;
                    }
                }
                else
                {
                    // Looking peeks: it reads the partition in enqueue order and changes nothing, so the team's
                    // consumer still gets every task. Already shown tasks are skipped on a --follow round.
                    foreach (var m in await topic.PeekAsync(code, limit, ct))
                    {
                        progressed += await ShowAsync(m) ? 1 : 0;
                    }
                }

                if (progressed == 0)
                {
                    if (!parseResult.GetValue(follow))
                    {
                        break;
                    }

                    await env.Delay(TimeSpan.FromSeconds(1), ct);
                }
            }

            await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{seen.Count} task(s) for gemeente {code}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Describe(LocalServiceBusMessage m)
    {
        var body = JsonNode.Parse(m.Body);
        var reasons = body?["reasons"]?.AsArray().Select(r => (string?)r?["code"]).OfType<string>() ?? [];
        return string.Create(CultureInfo.InvariantCulture,
            $"{m.EnqueuedTime?.UtcDateTime:yyyy-MM-dd HH:mm:ss} {(string?)body?["priority"],-8} {(int?)body?["score"],5}  {(string?)body?["dueDate"],-10}  {(string?)body?["team"],-22} {m.MessageId} {string.Join(',', reasons)}");
    }
}
