using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg tasks tail --gemeente 0363</c>: shows outreach tasks arriving in a gemeente's local queue
/// (the storage-queue stand-in for its Service Bus subscription), as the team's system would receive them.
/// </summary>
internal static class TasksCommands
{
    public static Command Create(CliEnvironment env)
    {
        var tasks = new Command("tasks", "Outreach tasks on the local task queues.");
        tasks.Subcommands.Add(Tail(env));
        return tasks;
    }

    private static Command Tail(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var gemeente = CommandHelpers.GemeenteOption("Four-digit gemeentecode (0363, or GM0363).");
        var consume = new Option<bool>("--consume") { Description = "Remove each task from the queue after showing it (act as the team's consumer). Default: only look (a peek: the queue stays as it was, and only its first 32 tasks show)." };
        var follow = new Option<bool>("--follow") { Description = "Keep waiting for new tasks until Ctrl-C." };
        var max = CommandHelpers.IntOption("--max", "Stop after this many tasks.", 1000, min: 1);
        var command = new Command("tail", "Show outreach tasks arriving for a gemeente.") { gemeente, consume, follow, max };
        pipeline.AddTo(command);

        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var names = services.GetRequiredService<StorageNames>();
            var code = parseResult.GetValue(gemeente)!;
            var queue = services.GetRequiredService<StorageClients>().Queues.GetQueueClient(names.OutreachQueue(code));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var limit = parseResult.GetValue(max);
            var toldPeekLimit = false;
            async Task<bool> ShowAsync(string body, string messageId)
            {
                var envelope = LocalServiceBusMessage.Parse(body, messageId);
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
                if (!await queue.ExistsAsync(ct))
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
                    foreach (var m in (await queue.ReceiveMessagesAsync(Math.Min(32, limit - seen.Count), TimeSpan.FromMinutes(1), ct)).Value)
                    {
                        await ShowAsync(m.Body.ToString(), m.MessageId);
                        await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                        progressed++;
                    }
                }
                else
                {
                    // Looking peeks: a receive would hide the tasks from the team's consumer for its visibility
                    // timeout and count a delivery against them. A peek sees only the front of the queue (32 at most).
                    var peeked = (await queue.PeekMessagesAsync(32, ct)).Value;
                    foreach (var m in peeked)
                    {
                        progressed += await ShowAsync(m.Body.ToString(), m.MessageId) ? 1 : 0;
                    }

                    if (peeked.Length == 32 && !toldPeekLimit)
                    {
                        toldPeekLimit = true;
                        await env.Error.WriteLineAsync("(a look shows the first 32 tasks of the queue; --consume goes through all of them)");
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
