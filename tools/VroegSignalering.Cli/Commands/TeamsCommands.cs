using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Cli.Teams;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg teams work --api URL --team-key 'local-team-{gemeente}-…' --seed S</c>: synthetic local teams work the
/// tasks dispatched to their gemeente's partition of the local topic, posting contact attempts, help decisions and
/// results through the outcome API, following the national funnel (<see cref="TeamFunnel"/>).
/// </summary>
internal static class TeamsCommands
{
    public const string GemeentePlaceholder = "{gemeente}";

    public static Command Create(CliEnvironment env)
    {
        var teams = new Command("teams", "Synthetic municipal teams that work dispatched tasks through the outcome API (local runs).");
        teams.Subcommands.Add(Work(env));
        return teams;
    }

    private static Command Work(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var api = new Option<string>("--api") { Description = "Base address of the app (its outcome API).", HelpName = "url", Required = true };
        var teamKey = new Option<string>("--team-key")
        {
            Description = $"Each team's API key, with {GemeentePlaceholder} where the gemeentecode goes (run.sh: the local teams of config/local/teams.json).",
            HelpName = "template",
            Required = true,
        };
        teamKey.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } v && !v.Contains(GemeentePlaceholder, StringComparison.Ordinal))
            {
                r.AddError($"Option '--team-key' must contain {GemeentePlaceholder}: each gemeente's team has its own key.");
            }
        });
        var seed = CommandHelpers.IntOption("--seed", "Seed of the teams' outcomes: the same seed and tasks give the same outcomes.", 1, min: int.MinValue);
        var parallel = CommandHelpers.IntOption("--parallel", "Cases worked at the same time.", 16, min: 1, max: 256);
        var maxCases = CommandHelpers.IntOption("--max-cases", "Work at most this many cases, a seeded sample (the same for the same seed and tasks); 0: every case.", 0, min: 0);
        var gemeenten = CommandHelpers.PathOption("--gemeenten", "code;naam file: the gemeenten whose partitions of the local topic are read.", "data/addresses/gemeenten.csv");
        var command = new Command("work",
            "Work every dispatched task on the local topic as its gemeente's team: contact attempts (letters, calls, home visits), then for a reached household " +
            "the help decision and the DDAS resultaat, drawn from the national funnel (1 in 5 reached, 35% of those accept help). Reads the topic without consuming it.")
        {
            api, teamKey, seed, parallel, maxCases, gemeenten,
        };
        pipeline.AddTo(command);

        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var topic = services.GetRequiredService<LocalTopic>();
            var codes = ReportCommand.ReadNames(parseResult.ResolvePath(gemeenten, env)).Keys.Order(StringComparer.Ordinal).ToList();
            if (codes.Count == 0)
            {
                throw new UsageException("--gemeenten names no gemeente: no partition of the local topic to read");
            }

            var received = new List<ReceivedTask>();
            if (await topic.ExistsAsync(ct))
            {
                foreach (var code in codes)
                {
                    received.AddRange((await topic.PeekAsync(code, int.MaxValue, ct)).Select(m => TeamWorker.Receive(m.MessageId, m.Body, code)));
                }
            }

            var latest = TeamWorker.Latest(received);
            var limit = parseResult.GetValue(maxCases);
            var tasks = limit == 0 || limit >= latest.Count
                ? latest
                : latest.OrderBy(t => TeamFunnel.Rank(parseResult.GetValue(seed), t.CaseKey)).ThenBy(t => t.CaseKey, StringComparer.Ordinal).ThenBy(t => t.TaskId, StringComparer.Ordinal).Take(limit)
                    .OrderBy(t => t.TaskId, StringComparer.Ordinal).ToList();
            var template = parseResult.GetValue(teamKey)!;
            var baseUri = new Uri(parseResult.GetValue(api)!.TrimEnd('/') + "/");
            using var http = new HttpClient(env.HttpHandler?.Invoke() ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), MaxConnectionsPerServer = 64 })
            {
                BaseAddress = baseUri,
                Timeout = TimeSpan.FromMinutes(2),
            };
            var worker = new TeamWorker(http, code => template.Replace(GemeentePlaceholder, code, StringComparison.Ordinal), parseResult.GetValue(seed), DutchCalendar.Today(env.Time), env, parseResult.GetValue(parallel));
            await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"teams: {tasks.Count} of {latest.Count} case(s) to work ({received.Count} task message(s) on the topic)"));

            var clock = Stopwatch.StartNew();
            var progress = new ProgressReporter(env);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var reporting = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    progress.Report(string.Create(CultureInfo.InvariantCulture, $"teams: {worker.CasesDone}/{tasks.Count} cases worked · {worker.RequestsSent} requests"));
                    try
                    {
                        await env.Delay(TimeSpan.FromMilliseconds(500), stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }, CancellationToken.None);

            TeamWorkTally tally;
            try
            {
                tally = await worker.WorkAsync(tasks, ct);
            }
            finally
            {
                await stop.CancelAsync();
                await reporting;
            }

            var seconds = Math.Max(0.001, clock.Elapsed.TotalSeconds);
            progress.Complete(string.Create(CultureInfo.InvariantCulture, $"teams: {tally.Cases}/{tasks.Count} cases worked · {tally.Requests} requests in {seconds:0.0} s ({tally.Requests / seconds:0} requests/s, {tally.Retries} sent again)"));
            await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"teams: {tally.Cases} cases worked, {tally.Attempts} contact attempts, {tally.Reached} reached, {tally.HelpAccepted} accepted help, {tally.HelpDeclined} declined, {tally.Closed} closed"));
            foreach (var failure in tally.Failures.Take(20))
            {
                await env.Error.WriteLineAsync("teams: " + failure);
            }

            if (tally.Failures.Count > 0)
            {
                await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"teams: {tally.Failures.Count} case(s) failed"));
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
