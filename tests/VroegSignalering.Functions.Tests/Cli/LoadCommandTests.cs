using System.Text.Json.Nodes;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Cli;

/// <summary>
/// `vroeg load` for a few seconds against the real app on Azurite, with the intake queue processed while it
/// runs: every row is accounted for in the answers, and storage holds exactly the accepted rows.
/// </summary>
public sealed class LoadCommandTests : IDisposable
{
    private static readonly Dictionary<string, string> Limits = new()
    {
        ["Intake:RequestsPerMinute"] = "120",
        ["Intake:RequestBurst"] = "20",
        ["Intake:MaxBodyBytes"] = "60000",
        ["Intake:MaxRowsPerRequest"] = "25",
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("vroeg-load-").FullName;
    private readonly PipelineApp _app = new(new Dictionary<string, string?>(Limits.Select(l => KeyValuePair.Create(l.Key, (string?)l.Value)))
    {
        ["Creditors:File"] = RepositoryRoot.File("config", "local", "creditors.json"),
        ["AddressRegistry:CbsFile"] = RepositoryRoot.File("data", "addresses", "pc6hnr20260801_gwb.csv"),
    });

    [Fact]
    public async Task A_short_load_at_the_rate_limit_accounts_for_every_row_in_the_answers_and_in_storage()
    {
        using var stop = new CancellationTokenSource();
        var processing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await _app.ProcessAllAsync();
                await Task.Delay(100, CancellationToken.None);
            }
        });
        var json = Path.Combine(_folder, "load.json");
        (int Rc, string Out, string Error) run;
        try
        {
            // 8 s at 120 a minute is 16 requests per creditor; the CLI's waits are 50 ms here, so they come within the burst of 20.
            run = await _app.RunCliAsync([
                "load", "--url", "http://localhost", "--duration", "8", "--creditors", "3", "--seed", "2", "--drain-timeout", "120", "--json", json,
                .. Limits.SelectMany(l => new[] { "--set", l.Key + "=" + l.Value })]);
        }
        finally
        {
            await stop.CancelAsync();
            await processing;
        }

        Assert.True(run.Rc == 0, run.Out + run.Error);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(json))!;
        var rows = report["rows"]!;
        var storage = report["storage"]!;
        Assert.Equal(0, (int)report["serverErrors"]!);
        Assert.Equal(0, (int)report["throttled"]!);
        Assert.Equal(0, (long)rows["unaccounted"]!);
        Assert.Equal((long)rows["sent"]!, (long)rows["accepted"]! + (long)rows["rejected"]! + (long)rows["duplicate"]! + (long)rows["refusedWhole"]!);
        Assert.True((long)rows["accepted"]! > 0 && (long)rows["rejected"]! > 0 && (long)rows["duplicate"]! > 0 && (long)rows["refusedWhole"]! > 0, rows.ToJsonString());
        Assert.Equal((long)rows["accepted"]!, (long)storage["expected"]!);
        Assert.Equal((long)rows["accepted"]!, (long)storage["stored"]! + (long)storage["quarantined"]!);
        Assert.Equal((long)storage["stored"]! + (long)storage["quarantined"]!, (long)storage["distinct"]!);

        // Each kind sent got the answer the API documents for it (LoadPlanTests shows every kind is planned).
        var answers = report["byKind"]!.AsArray().ToDictionary(k => (string)k!["kind"]!, k => string.Join(' ', k!["answers"]!.AsObject().Select(a => a.Key).Order()));
        var documented = new Dictionary<string, string[]>
        {
            ["Valid"] = ["202"],
            ["RowErrors"] = ["202", "400", "202 400"],
            ["AtomicRefused"] = ["400"],
            ["MalformedJson"] = ["400"],
            ["WrongMediaType"] = ["415"],
            ["Duplicate"] = ["202"],
            ["OversizedBody"] = ["413"],
            ["OversizedRows"] = ["413"],
        };
        Assert.All(answers, a => Assert.Contains(a.Value, documented[a.Key]));
        Assert.True(answers.Count >= 6, string.Join(", ", answers.Keys));
        Assert.Contains("verdict: PASS", run.Out, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
