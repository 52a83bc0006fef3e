using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Cli.Commands;

/// <summary><c>vroeg outbox list|retry</c>: tasks whose sending failed for good, and re-driving them once fixed.</summary>
internal static class OutboxCommands
{
    public static Command Create(CliEnvironment env)
    {
        var outbox = new Command("outbox", "Outbox rows that failed permanently (400/403/410/413 from the broker).");
        outbox.Subcommands.Add(List(env));
        outbox.Subcommands.Add(Retry(env));
        return outbox;
    }

    private static Command List(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var command = new Command("list", "List failed outbox rows with their reasons.");
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            // Listing reads only the index and the rows' clear fields: no keys needed.
            await using var services = pipeline.Build(parseResult);
            var index = services.GetRequiredService<IOutboxIndex>();
            var store = services.GetRequiredService<IHouseholdStore>();
            var n = 0;
            await foreach (var pointer in index.ListAsync(OutboxIndexState.Failed, DateTimeOffset.MaxValue, ct))
            {
                if (await store.GetOutboxAsync(pointer.HouseholdKey, pointer.TaskId, ct) is not { } versioned)
                {
                    continue;
                }

                var entry = versioned.Value;
                n++;
                await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{entry.TaskId}  gemeente {entry.Gemeentecode}  attempts {entry.Attempts}  created {entry.CreatedAt:yyyy-MM-dd HH:mm}  reason: {entry.LastError}"));
            }

            await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{n} failed outbox row(s)"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Retry(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var command = new Command("retry", "Send failed outbox rows again (after fixing the cause). Needs the app's Keys__… and Dispatch__… settings.");
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var summary = await services.GetRequiredService<OutboxDispatcher>().RetryFailedAsync(ct);
            await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"re-driven: {summary.Sent} sent, {summary.AlreadySent} already sent, {summary.FailedPermanently} failed again, {summary.FailedTransiently} to retry later"));
            return summary.FailedPermanently > 0 ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }
}
