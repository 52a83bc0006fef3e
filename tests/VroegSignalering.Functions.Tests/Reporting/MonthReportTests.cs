using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Reporting;

using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Reporting;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Reporting;

/// <summary>
/// A small generated month through the real pipeline on Azurite: the report's figures equal what
/// storage and the local topic hold, and agree with what the generator meant to send.
/// </summary>
public sealed class MonthReportTests : IDisposable
{
    private readonly string _month = Directory.CreateTempSubdirectory("vroeg-month-").FullName;
    private readonly PipelineApp _app = new(new Dictionary<string, string?>
    {
        ["Creditors:File"] = RepositoryRoot.File("config", "local", "creditors.json"),
        ["AddressRegistry:CbsFile"] = RepositoryRoot.File("data", "addresses", "pc6hnr20260801_gwb.csv"),
        ["Dispatch:SweepAfter"] = "00:00:00",
        ["Intake:RequestsPerMinute"] = "6000",
        ["Intake:RequestBurst"] = "1000",
    });

    [Fact]
    public async Task The_report_of_a_small_month_matches_what_storage_and_the_queues_hold()
    {
        var manifest = await GenerateAndPostAsync(signals: 300, seed: 3);
        var observer = _app.Services.GetRequiredService<RunObserver>();
        for (var round = 0; round < 20 && !(await observer.ProgressAsync(CancellationToken.None)).Settled; round++)
        {
            await _app.RunPipelineAsync();
        }

        Assert.True((await observer.ProgressAsync(CancellationToken.None)).Settled, "the pipeline did not settle");
        var report = RunReportBuilder.Build(await observer.ObserveAsync(["0363", "0599", "0344", "0014", "0772", "0153"], CancellationToken.None), DateTimeOffset.UtcNow);

        // What storage holds, counted independently of the report code.
        var signals = await _app.RowsAsync("s|");
        var cases = await _app.RowsAsync("c|");
        var tasks = await _app.RowsAsync("t|");
        var outbox = await _app.RowsAsync("o|");
        var quarantined = await _app.EntitiesAsync(_app.Names.Quarantine);
        var references = await _app.EntitiesAsync(_app.Names.SignalReferences);
        Assert.Equal(references.Count, report.Intake.Accepted);
        Assert.Equal(signals.Count, report.SignalsStored);
        Assert.Equal(quarantined.Count, report.Quarantine.Total);
        Assert.Equal(cases.Count, report.Cases.Total);
        Assert.Equal(tasks.Count, report.Tasks.Total);
        Assert.Equal(outbox.Count(o => o.GetString("Status") == "Dispatched"), report.Tasks.Dispatched);
        Assert.Equal(tasks.Count, report.Tasks.ByPriority.Values.Sum());
        Assert.Equal(tasks.Count, report.Delivery.DistinctTasksByGemeente.Values.Sum());
        Assert.Equal(tasks.Count, report.Latency.Samples);
        Assert.Equal(cases.Sum(c => c.GetInt32("RepeatsWithoutTask") ?? 0), report.Cases.RepeatSignalsWithoutNewTask);
        foreach (var (gemeente, n) in report.Tasks.ByGemeente)
        {
            Assert.Equal(tasks.Count(t => t.GetString("Gemeente") == gemeente), n);
        }

        // And with what the generator meant to send (the manifest is only read by this test).
        var counts = manifest["counts"]!;
        Assert.Equal((int)counts["signals"]!, report.Intake.Rows);
        Assert.Equal((int)counts["intendedInvalid"]!["total"]!, report.Intake.Rejected);
        Assert.Equal((int)counts["intendedUnroutable"]!, report.Quarantine.Total);
        Assert.Equal((int)counts["intendedValidAndRoutable"]!, report.SignalsStored);
        Assert.Equal(0, report.Tasks.Pending);
        Assert.Equal(0, report.Tasks.Failed);

        var html = ReportRendering.ToHtml(report, new Dictionary<string, string> { ["0363"] = "Amsterdam" }, null);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        var htmlPath = Path.Combine(_month, "run-report.html");
        await File.WriteAllTextAsync(htmlPath, html);
        PublishLayoutTests.PublishedApp.Run("bash", RepositoryRoot.File("scripts", "check-report.sh"), htmlPath, Path.Combine(_month, "run-report.png"));
        Assert.Equal(report.Intake.Accepted, (int)JsonNode.Parse(ReportRendering.ToJson(report))!["intake"]!["accepted"]!);
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_month, recursive: true);
    }

    private async Task<JsonNode> GenerateAndPostAsync(int signals, int seed)
    {
        using var output = new StringWriter();
        var env = new CliEnvironment { Out = output, Error = output, BaseDirectory = RepositoryRoot.Find() };
        var rc = await VroegSignalering.Cli.Program.RunAsync(["generate", "--signals", signals.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", _month], env);
        Assert.True(rc == 0, output.ToString());

        var keys = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryRoot.File("config", "local", "creditors.json")))!["creditors"]!.AsArray()
            .ToDictionary(c => (string)c!["id"]!, c => (string)c!["apiKeys"]![0]!);
        foreach (var file in Directory.EnumerateFiles(_month).Where(f => !f.EndsWith("manifest.json", StringComparison.Ordinal)))
        {
            var contentType = Path.GetExtension(file) switch
            {
                ".csv" => "text/csv",
                ".ndjson" => "application/x-ndjson",
                _ => "application/json",
            };
            using var response = await _app.PostAsync(keys[Path.GetFileNameWithoutExtension(file)], await File.ReadAllBytesAsync(file), contentType);
            Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.BadRequest, $"{file}: {response.StatusCode}");
        }

        return JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_month, "manifest.json")))!;
    }
}
