using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Retention;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Core.Retention;

namespace VroegSignalering.Cli.Commands;

/// <summary><c>vroeg retention run [--dry-run]</c>: the retention purge now (docs/operations.md#retention).</summary>
internal static class RetentionCommands
{
    public static Command Create(CliEnvironment env)
    {
        var retention = new Command("retention", "Deleting personal data past its term (Retention:Default, Retention:Gemeenten).");
        retention.Subcommands.Add(Run(env));
        return retention;
    }

    private static Command Run(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var api = new OperatorApiOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted, per kind and age bucket (counts only); change nothing." };
        var command = new Command("run",
            "Purge what is past its term now, as the nightly timer does, keeping what it counted for reports and DDAS. With --api it runs in the app; " +
            "without, here against the storage given (no keys needed: nothing is decrypted).")
        {
            dryRun,
        };
        pipeline.AddTo(command);
        api.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            var dry = parseResult.GetValue(dryRun);
            JsonNode answer;
            if (api.Requested(parseResult))
            {
                using var client = await api.ConnectAsync(parseResult, env, ct);
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/operations/retention/run?dryRun=" + (dry ? "true" : "false"));
                using var response = await client.SendAsync(request, ct);
                answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            }
            else
            {
                await using var services = pipeline.Build(parseResult);
                var summary = await services.GetRequiredService<RetentionPurger>().RunAsync(dry, line => env.Error.WriteLineAsync(line), ct);
                var byKind = new JsonObject();
                foreach (var (kind, buckets) in summary.ByKind)
                {
                    byKind[kind] = new JsonObject(buckets.Select(b => KeyValuePair.Create(b.Key, (JsonNode?)b.Value)));
                }

                answer = new JsonObject { ["total"] = summary.Total, ["resumed"] = summary.Resumed, ["byKind"] = byKind };
            }

            await WriteAsync(env, dry, answer);
            return ExitCodes.Success;
        });
        return command;
    }

    // One line per kind: the count per age bucket, in the buckets' order; then the total.
    private static async Task WriteAsync(CliEnvironment env, bool dryRun, JsonNode answer)
    {
        foreach (var (kind, buckets) in answer["byKind"]!.AsObject())
        {
            var parts = RetentionPlanner.AgeBuckets.Where(b => buckets![b] is not null).Select(b => string.Create(CultureInfo.InvariantCulture, $"{(int)buckets![b]!} {b}"));
            await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{kind}: {string.Join(", ", parts)}"));
        }

        var total = (int)answer["total"]!;
        await env.Out.WriteLineAsync(dryRun
            ? string.Create(CultureInfo.InvariantCulture, $"dry run: {total} record(s) past their term would be deleted; nothing changed")
            : string.Create(CultureInfo.InvariantCulture, $"purged: {total} record(s) past their term ({(int)answer["resumed"]!} interrupted step(s) finished)"));
    }
}
