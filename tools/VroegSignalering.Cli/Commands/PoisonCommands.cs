using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg poison list|redrive --queue signals-intake</c>: messages the queue trigger gave up on (moved to
/// &lt;queue&gt;-poison after maxDequeueCount), and moving them back once the cause is fixed. Processing is
/// idempotent, so a re-driven message never stores anything twice.
/// </summary>
internal static class PoisonCommands
{
    public static Command Create(CliEnvironment env)
    {
        var poison = new Command("poison", "Poison queues: inspect and re-drive messages that failed every attempt.");
        poison.Subcommands.Add(List(env));
        poison.Subcommands.Add(Redrive(env));
        return poison;
    }

    private static Option<string> QueueOption() => new("--queue") { Description = "The queue whose poison queue to use: signals-intake or dispatch (or the names configured).", Required = true, HelpName = "name" };

    private static Command List(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var queue = QueueOption();
        var command = new Command("list", "Show the poison messages of a queue (receipt/chunk or task ids only; signal content stays encrypted).") { queue };
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var client = services.GetRequiredService<StorageClients>().Queues.GetQueueClient(parseResult.GetValue(queue) + "-poison");
            try
            {
                var messages = (await client.PeekMessagesAsync(32, ct)).Value;
                foreach (var m in messages)
                {
                    await env.Out.WriteLineAsync($"{m.MessageId}  inserted {m.InsertedOn:yyyy-MM-dd HH:mm:ss}  {Summary(m.Body.ToString())}");
                }

                var count = (await client.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
                await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{count} message(s) in {client.Name} (up to 32 shown)"));
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                await env.Error.WriteLineAsync($"{client.Name} does not exist: nothing was poisoned");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Redrive(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var queue = QueueOption();
        var command = new Command("redrive", "Move every poison message back to its queue for another try.") { queue };
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var queues = services.GetRequiredService<StorageClients>().Queues;
            var name = parseResult.GetValue(queue)!;
            var target = queues.GetQueueClient(name);
            var poison = queues.GetQueueClient(name + "-poison");
            if (!await poison.ExistsAsync(ct))
            {
                await env.Error.WriteLineAsync($"{poison.Name} does not exist: nothing to re-drive");
                return ExitCodes.Success;
            }

            await target.CreateIfNotExistsAsync(cancellationToken: ct);
            var moved = 0;
            while (true)
            {
                var batch = (await poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), ct)).Value;
                if (batch.Length == 0)
                {
                    break;
                }

                foreach (var m in batch)
                {
                    // Send first, then delete: a crash in between re-drives a message twice, which is harmless.
                    await target.SendMessageAsync(m.Body.ToString(), ct);
                    await poison.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                    moved++;
                }
            }

            await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"moved {moved} message(s) from {poison.Name} back to {target.Name}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Summary(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("receiptId", out var r))
            {
                return $"receipt {r.GetString()} chunk {(root.TryGetProperty("chunk", out var c) ? c.GetRawText() : "?")}";
            }

            if (root.TryGetProperty("taskId", out var t))
            {
                return $"task {t.GetString()}";
            }
        }
        catch (JsonException)
        {
        }

        return "(not a VroegSignalering message)";
    }
}
