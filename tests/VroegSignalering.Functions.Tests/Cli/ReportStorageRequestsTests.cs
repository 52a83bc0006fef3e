using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Cli;

/// <summary>
/// `vroeg report --api --operator-key` reads the app's storage request tally and adds "Storage requests per accepted
/// signal" to the text, JSON and HTML report: the app's stages as the app counted them, the report's own reads, and
/// its polling while waiting shown but left out of the total.
/// </summary>
public sealed class ReportStorageRequestsTests : IDisposable
{
    private readonly StorageRequestTally _appTally = new(TimeProvider.System);
    private readonly PipelineApp _app;
    private readonly string _folder = Directory.CreateTempSubdirectory("vroeg-report-storage-").FullName;

    public ReportStorageRequestsTests() =>
        _app = new PipelineApp(new Dictionary<string, string?> { ["Dispatch:SweepAfter"] = "00:00:00" }, services: s => s.AddSingleton(_appTally));

    [Fact]
    public async Task The_report_divides_the_apps_tally_and_its_own_reads_by_the_accepted_signals_without_its_polling()
    {
        using (var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(
            TestSignals.Signal("STORE-1", "Huur", 1100m, huisnummer: 41), TestSignals.Signal("STORE-2", "Huur", 900m, huisnummer: 42))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var driving = Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await _app.RunPipelineAsync();
            }
        });
        var (rc, output, error) = await _app.RunCliAsync("report", "--wait", "--timeout", "60", "--json", Path.Combine(_folder, "r.json"), "--html", Path.Combine(_folder, "r.html"),
            "--api", "http://localhost", "--operator-key", TestEnvironment.OperatorKey);
        await driving;

        Assert.True(rc == 0, error);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_folder, "r.json")))!;
        var storage = report["storageRequests"]!;
        var rows = storage["rows"]!.AsArray().Select(r => (Stage: (string)r!["stage"]!, Operation: (string)r["operation"]!, Target: (string)r["target"]!, Count: (long)r["count"]!, InTotal: (bool)r["inTotal"]!)).ToList();
        var accepted = (int)report["intake"]!["accepted"]!;
        Assert.Equal(2, accepted);

        // The pipeline's stages are the app's own count; the report's reads and its polling are this command's.
        var app = _appTally.Snapshot().Where(r => r.Stage == "intake").Select(r => (r.Stage, r.Operation, r.Target, r.Count, true));
        Assert.Equal(app, rows.Where(r => r.Stage == "intake"));
        Assert.Contains(rows, r => r is { Stage: "intake", Operation: "send" } && r.Target == _app.Names.SignalsIntakeQueue);
        Assert.Contains(rows, r => r is { Stage: "report", Operation: "query", Target: "households", InTotal: true });
        Assert.Contains(rows, r => r is { Stage: "report-wait", InTotal: false });
        Assert.Equal(rows.Where(r => r.InTotal).Sum(r => r.Count), (long)storage["total"]!);
        Assert.Equal(rows.Where(r => !r.InTotal).Sum(r => r.Count), (long)storage["excludedFromTotal"]!);
        Assert.Equal(Math.Round((long)storage["total"]! / 2.0, 3), (double)storage["perSignal"]!);

        Assert.Contains("Storage requests per accepted signal (2 accepted", output, StringComparison.Ordinal);
        Assert.Contains("report-wait subtotal, not in the total", output, StringComparison.Ordinal);
        Assert.Contains("crisis signal → task p99 (s)", output, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(Path.Combine(_folder, "r.html"));
        Assert.Contains("aria-label=\"Storage requests per accepted signal by stage\"", html, StringComparison.Ordinal);
        Assert.Contains("Crisis signal → task latency", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_api_the_report_has_no_storage_section_and_does_not_pretend_zero()
    {
        var (rc, output, error) = await _app.RunCliAsync("report", "--json", Path.Combine(_folder, "r.json"), "--html", Path.Combine(_folder, "r.html"));

        Assert.True(rc == 0, error);
        Assert.DoesNotContain("Storage requests per accepted signal", output, StringComparison.Ordinal);
        Assert.Null(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_folder, "r.json")))!["storageRequests"]);
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
