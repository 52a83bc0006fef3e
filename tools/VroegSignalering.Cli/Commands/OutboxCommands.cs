using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
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
        var api = new OperatorApiOptions();
        var gemeente = new Option<string>("--gemeente")
        {
            Description = "Only this gemeente's failed rows (0363 or GM0363).",
            HelpName = "code",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                var code = VroegSignalering.Core.Routing.AreaCodeFormat.Gemeente(text);
                if (code is null)
                {
                    result.AddError($"Option '--gemeente' expects a gemeentecode (0363 or GM0363), got '{text}'.");
                }

                return code;
            },
        };
        var task = new Option<string>("--task") { Description = "Only this task's row (a task id from `vroeg outbox list`).", HelpName = "task-id" };
        var dryRun = new Option<bool>("--dry-run") { Description = "List the rows a retry would take; change nothing." };
        var command = new Command("retry",
            "Send failed outbox rows again (after fixing the cause). With --api it runs in the app, under its identity and keys (the way in Azure); " +
            "without, it runs here against local development storage only (Azurite), with the app's Keys__… settings.")
        {
            gemeente, task, dryRun,
        };
        pipeline.AddTo(command);
        api.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            var code = parseResult.GetValue(gemeente);
            var taskId = parseResult.GetValue(task);
            if (code is not null && taskId is not null)
            {
                throw new UsageException("--gemeente and --task exclude each other (a task belongs to one gemeente)");
            }

            var dry = parseResult.GetValue(dryRun);
            if (api.Requested(parseResult))
            {
                return await RetryThroughApiAsync(env, api, parseResult, code, taskId, dry, ct);
            }

            await using var services = pipeline.Build(parseResult);
            PipelineOptions.RequireDevelopmentStorage(services, "outbox retry");
            var result = await services.GetRequiredService<OutboxDispatcher>().RetryFailedAsync(new OutboxRetryFilter(code, taskId), dry, ct);
            foreach (var row in result.Rows)
            {
                await env.Out.WriteLineAsync(RowLine(row.TaskId, row.Gemeentecode, row.Attempts, row.LastError));
            }

            var s = result.Summary;
            return await ReportAsync(env, dry, result.Rows.Count, s.Sent, s.AlreadySent, s.FailedPermanently, s.FailedTransiently);
        });
        return command;
    }

    private static async Task<int> RetryThroughApiAsync(CliEnvironment env, OperatorApiOptions api, ParseResult parseResult, string? code, string? taskId, bool dryRun, CancellationToken ct)
    {
        using var client = await api.ConnectAsync(parseResult, env, ct);
        var body = new JsonObject { ["dryRun"] = dryRun };
        if (code is not null)
        {
            body["gemeentecode"] = code;
        }

        if (taskId is not null)
        {
            body["taskId"] = taskId;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/operations/outbox/retry") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request, ct);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
        foreach (var row in answer["rows"]!.AsArray())
        {
            await env.Out.WriteLineAsync(RowLine((string)row!["taskId"]!, (string)row["gemeentecode"]!, (int)row["attempts"]!, (string?)row["lastError"]));
        }

        return await ReportAsync(env, dryRun, (int)answer["matched"]!, (int)answer["sent"]!, (int)answer["alreadySent"]!, (int)answer["failedAgain"]!, (int)answer["toRetryLater"]!);
    }

    private static string RowLine(string taskId, string gemeentecode, int attempts, string? reason) =>
        string.Create(CultureInfo.InvariantCulture, $"{taskId}  gemeente {gemeentecode}  attempts {attempts}  reason: {reason}");

    private static async Task<int> ReportAsync(CliEnvironment env, bool dryRun, int matched, int sent, int alreadySent, int failedAgain, int toRetryLater)
    {
        if (dryRun)
        {
            await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"dry run: {matched} failed row(s) would be re-driven; nothing changed"));
            return ExitCodes.Success;
        }

        await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"re-driven: {sent} sent, {alreadySent} already sent, {failedAgain} failed again, {toRetryLater} to retry later"));
        return failedAgain > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }
}
