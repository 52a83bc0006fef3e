using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg deadletter list|redrive --gemeente 0363</c>: tasks that a gemeente's Service Bus subscription
/// (<c>gm&lt;code&gt;</c>) dead-lettered (expired, or abandoned too often by the team's consumer), and
/// sending them to the topic again once the consumer works. Only ids, times and the broker's reasons are
/// shown: the task bodies hold contact details.
/// </summary>
internal static class DeadLetterCommands
{
    public static Command Create(CliEnvironment env)
    {
        var deadletter = new Command("deadletter", "Service Bus dead letters of a gemeente's task subscription: inspect and re-drive.");
        deadletter.Subcommands.Add(List(env));
        deadletter.Subcommands.Add(Redrive(env));
        return deadletter;
    }

    private static Option<int> MaxOption(string what) => CommandHelpers.IntOption("--max", $"At most this many messages to {what}.", 100, min: 1, max: 10_000);

    private static Command List(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var gemeente = CommandHelpers.GemeenteOption("The gemeente whose subscription (gm<code>) to read.");
        var max = MaxOption("show");
        var command = new Command("list", "Show dead-lettered tasks: task id, enqueued, deliveries, the broker's reason. Read by peeking: nothing is locked or changed.") { gemeente, max };
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var deadLetters = DeadLetters(services);
            var listing = await deadLetters.ListAsync(parseResult.GetValue(gemeente)!, parseResult.GetValue(max), ct);
            foreach (var m in listing.Messages)
            {
                // The broker's reason code only: a consumer's free-text description may quote the task.
                await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{m.MessageId}  seq {m.SequenceNumber}  enqueued {m.EnqueuedAt:yyyy-MM-dd HH:mm:ss}  deliveries {m.DeliveryCount}  priority {m.ApplicationProperties.GetValueOrDefault("priority", "?")}  reason {m.DeadLetterReason ?? "?"}"));
            }

            await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{listing.Messages.Count} dead-lettered task(s) in {listing.Subscription}"));
            if (listing.StoppedBy is { } stopped)
            {
                await env.Error.WriteLineAsync("stopped early: " + stopped);
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Redrive(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var gemeente = CommandHelpers.GemeenteOption("The gemeente whose subscription (gm<code>) to re-drive.");
        var max = MaxOption("re-drive");
        var command = new Command("redrive",
            "Send dead-lettered tasks to the topic again (same message id and properties), then remove them from the dead-letter queue. " +
            "Tasks first sent within the topic's duplicate detection window, or of another gemeente, stay: the broker would drop the resend, " +
            "or it would not come back to this subscription.")
        {
            gemeente, max,
        };
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var deadLetters = DeadLetters(services);
            var run = await deadLetters.RedriveAsync(parseResult.GetValue(gemeente)!, parseResult.GetValue(max), ct);
            foreach (var o in run.Outcomes)
            {
                await env.Out.WriteLineAsync($"{o.MessageId}  {o.Result.ToString().ToLowerInvariant()}: {o.Detail}");
            }

            int Count(RedriveResult r) => run.Outcomes.Count(o => o.Result == r);
            await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{Count(RedriveResult.Sent)} re-driven, {Count(RedriveResult.SentNotRemoved)} re-driven but not removed, {Count(RedriveResult.Held)} held, {Count(RedriveResult.Failed)} failed ({run.Subscription})"));
            if (run.StoppedBy is { } stopped)
            {
                await env.Error.WriteLineAsync("stopped early: " + stopped);
            }

            var failed = Count(RedriveResult.Failed) + Count(RedriveResult.SentNotRemoved) + (run.StoppedBy is null ? 0 : 1);
            return failed > 0 ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    private static ServiceBusDeadLetters DeadLetters(IServiceProvider services) =>
        services.GetService<ServiceBusDeadLetters>()
        ?? throw new CliException("dead letters live on Service Bus: run with the app's settings (Dispatch__Transport=ServiceBus and Dispatch__ServiceBus__FullyQualifiedNamespace or __ConnectionString, or --set them); the local StorageQueue transport has none");
}
