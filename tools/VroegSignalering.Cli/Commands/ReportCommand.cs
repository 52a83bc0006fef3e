using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Reporting;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Cli.Reporting;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg report</c>: optionally wait until the pipeline has settled (every accepted signal processed,
/// every household triaged, every task sent), then read the run back from storage and the queues and
/// write the summary table, out/run-report.json and out/run-report.html. With <c>--api</c> it also reads the
/// app's storage request tally and reports the requests per accepted signal.
/// </summary>
internal static class ReportCommand
{
    public const string StorageRequestsPath = "api/v1/operations/storage-requests";

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public static Command Create(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var api = new OperatorApiOptions();
        var wait = new Option<bool>("--wait") { Description = "Wait until every accepted signal is processed and every task dispatched, showing progress." };
        var timeout = CommandHelpers.IntOption("--timeout", "Seconds --wait waits at most before failing.", 1800, min: 1);
        var json = CommandHelpers.PathOption("--json", "Where to write the report as JSON.", "out/run-report.json");
        var html = CommandHelpers.PathOption("--html", "Where to write the report as HTML with charts.", "out/run-report.html");
        var gemeenten = CommandHelpers.PathOption("--gemeenten", "code;naam file for gemeente names in the report.", "data/addresses/gemeenten.csv");
        var started = CommandHelpers.OptionalLongOption("--started", "Unix time (s) the run started, to report its wall time.", "seconds", min: 0);
        var waitOnly = new Option<bool>("--wait-only") { Description = "Only wait (as --wait) and write no report: ./run.sh waits, lets the teams work the tasks, then reports." };
        var readMessages = new Option<bool>("--read-messages") { Description = "Read every task message (left in its queue) to count distinct task ids per gemeente; slow for large runs on the emulator." };
        var command = new Command("report", "Report what a run did, computed from storage and queues (optionally waiting for the pipeline to settle).")
        {
            wait, waitOnly, timeout, json, html, gemeenten, started, readMessages,
        };
        pipeline.AddTo(command);
        api.AddTo(command);
        api.Api.Description = "Base address of the app: also read its storage request tally (operator endpoint) and report the storage requests per accepted signal.";

        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var observer = services.GetRequiredService<RunObserver>();
            if (parseResult.GetValue(wait) || parseResult.GetValue(waitOnly))
            {
                // Polling is the observer's cost, not the pipeline's: its own stage, shown and left out of the totals.
                using var waiting = WorkStage.Enter(StorageRequestFigures.ReportWaitStage);
                await WaitAsync(observer, env, TimeSpan.FromSeconds(parseResult.GetValue(timeout)), ct);
            }

            if (parseResult.GetValue(waitOnly))
            {
                return ExitCodes.Success;
            }

            var names = ReadNames(parseResult.ResolvePath(gemeenten, env));
            RunObservation observation;
            using (WorkStage.Enter(WorkStage.Report))
            {
                observation = await observer.ObserveAsync(names.Keys.ToList(), ct, readMessageIds: parseResult.GetValue(readMessages));
            }

            var report = RunReportBuilder.Build(observation, env.Time.GetUtcNow());
            if (api.Requested(parseResult))
            {
                report = report with { StorageRequests = await StorageRequestsAsync(api, parseResult, env, services.GetRequiredService<StorageRequestTally>(), report.Intake.Accepted, ct) };
            }
            var wallTime = parseResult.GetValue(started) is { } s ? env.Time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(s) : (TimeSpan?)null;

            var jsonPath = parseResult.ResolvePath(json, env)!;
            var htmlPath = parseResult.ResolvePath(html, env)!;
            Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(htmlPath)!);
            await File.WriteAllTextAsync(jsonPath, ReportRendering.ToJson(report), ct);
            await File.WriteAllTextAsync(htmlPath, ReportRendering.ToHtml(report, names, wallTime), ct);
            await env.Out.WriteAsync(ReportRendering.ToTable(report, names, wallTime));
            await env.Out.WriteLineAsync($"\nWrote {jsonPath} and {htmlPath}");
            return report.Tasks.Failed > 0 || report.Tasks.Pending > 0 ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The app's tally (every stage but the report's) plus this command's own reads (the report's stages), per
    /// accepted signal. The report's stages come from here only: an app in this same process (tests) holds them too.
    /// </summary>
    private static async Task<StorageRequestFigures> StorageRequestsAsync(OperatorApiOptions api, ParseResult parseResult, CliEnvironment env, StorageRequestTally own, int accepted, CancellationToken ct)
    {
        string[] reportStages = [WorkStage.Report, .. StorageRequestFigures.ObserverStages];
        using var client = await api.ConnectAsync(parseResult, env, ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, StorageRequestsPath);
        using var response = await client.SendAsync(request, ct);
        var tally = await JsonSerializer.DeserializeAsync<AppTally>(await response.Content.ReadAsStreamAsync(ct), WebJson, ct)
            ?? throw new CliException("the app answered the storage request tally with an empty body");
        if (tally.Rows is null)
        {
            throw new CliException("the app's storage request tally has no rows");
        }

        var rows = tally.Rows.Where(r => !reportStages.Contains(r.Stage, StringComparer.Ordinal))
            .Concat(own.Snapshot().Where(r => reportStages.Contains(r.Stage, StringComparer.Ordinal)));
        return StorageRequestFigures.Build(rows, accepted, tally.InstanceStartedAt);
    }

    private sealed record AppTally(DateTimeOffset InstanceStartedAt, IReadOnlyList<StorageRequestCount>? Rows);

    private static async Task WaitAsync(RunObserver observer, CliEnvironment env, TimeSpan timeout, CancellationToken ct)
    {
        var progress = new ProgressReporter(env);
        var deadline = env.Time.GetUtcNow() + timeout;
        var settledTwice = 0;
        var households = "?";
        for (var poll = 0; ; poll++)
        {
            // The full count of households to triage is costly on the emulator: take it every tenth poll.
            var counting = poll % 10 == 0;
            var p = await observer.ProgressAsync(ct, countHouseholds: counting);
            households = counting || p.HouseholdsToTriage == 0 ? p.HouseholdsToTriage.ToString(CultureInfo.InvariantCulture) : households;
            var status = string.Create(CultureInfo.InvariantCulture,
                $"waiting: chunks {p.ChunksProcessed}/{p.ChunksExpected} processed · intake queue {p.IntakeQueue} · households to triage {households} · dispatch queue {p.DispatchQueue} · tasks to send {p.OutboxPending} · failed {p.OutboxFailed}");
            progress.Report(status);

            // Settled twice in a row: a timer between two reads cannot leave work half-announced.
            settledTwice = p.Settled ? settledTwice + 1 : 0;
            if (settledTwice >= 2)
            {
                progress.Complete(status.Replace("waiting:", "settled:", StringComparison.Ordinal));
                return;
            }

            if (env.Time.GetUtcNow() > deadline)
            {
                progress.Complete(status);
                throw new CliException($"the pipeline did not settle within {timeout.TotalSeconds:0} s");
            }

            await env.Delay(TimeSpan.FromSeconds(3), ct);
        }
    }

    internal static IReadOnlyDictionary<string, string> ReadNames(string? path)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (path is null || !File.Exists(path))
        {
            return names;
        }

        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var parts = line.Split(';');
            if (parts.Length >= 2 && parts[0].Trim().Length > 0)
            {
                names[parts[0].Trim().PadLeft(4, '0')] = parts[1].Trim();
            }
        }

        return names;
    }
}
