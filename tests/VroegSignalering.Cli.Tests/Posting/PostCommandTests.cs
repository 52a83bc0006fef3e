using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Creditors;
using VroegSignalering.Cli.Generation;
using VroegSignalering.Testing;

namespace VroegSignalering.Cli.Tests.Posting;

/// <summary><c>vroeg post</c> against an in-process fake of the signals API.</summary>
public sealed class PostCommandTests : IAsyncLifetime, IDisposable
{
    private static readonly string CreditorsFile = RepositoryRoot.File("config", "local", "creditors.json");
    private static readonly CreditorRegistry Creditors = CreditorRegistry.Load(CreditorsFile);
    private readonly TempDirectory _month = new();
    private readonly CliRunner _cli = new();
    private FakeSignalsApi _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeSignalsApi.StartAsync(Creditors.All.ToDictionary(c => c.ApiKeys[0], c => c.Id));
        MonthGenerator.Run(
            GeneratedMonthFixture.Settings(11, _month.Path, signals: 3_000),
            new CliEnvironment { Out = TextWriter.Null, Error = TextWriter.Null });
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public void Dispose() => _month.Dispose();

    private Task<CliRun> PostDirAsync(params string[] extra) =>
        _cli.RunAsync(["post", "--dir", _month.Path, "--url", _api.Url, "--creditors", CreditorsFile, .. extra]);

    private string FileOf(string creditor) => Directory.GetFiles(_month.Path, creditor + ".*").Single();

    [Fact]
    public async Task Posting_a_generated_month_sends_every_file_as_its_creditor_in_batches_with_the_right_content_type()
    {
        var run = await PostDirAsync("--batch", "250");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(_api.Rejections);
        var requests = _api.Requests.ToList();
        Assert.Equal(3_000, requests.Sum(r => r.Rows.Count));
        Assert.All(requests, r => Assert.InRange(r.Rows.Count, 1, 250));
        Assert.All(requests, r => Assert.Equal("partial", r.Mode));
        Assert.Equal(Creditors.All.Select(c => c.Id).Order(), requests.Select(r => r.Creditor).Distinct().Order());
        foreach (var request in requests)
        {
            var expected = Path.GetExtension(FileOf(request.Creditor)) switch
            {
                ".json" => "application/json",
                ".ndjson" => "application/x-ndjson",
                _ => "text/csv; charset=utf-8",
            };
            Assert.Equal(expected, request.ContentType);
        }

        Assert.Contains("total", run.Out, StringComparison.Ordinal);
        Assert.Matches(@"total\s+3000\s+3000\s+0\s+0", run.Out);
    }

    [Fact]
    public async Task Batches_carry_the_files_rows_in_order_and_unchanged()
    {
        await PostDirAsync("--batch", "100", "--parallel", "1");

        foreach (var creditor in _api.Requests.GroupBy(r => r.Creditor))
        {
            var sent = creditor.SelectMany(r => r.Rows).Select(r => r.GetProperty("signaalReferentie").GetString()!).ToList();
            var inFile = ReferencesIn(FileOf(creditor.Key));
            Assert.Equal(inFile, sent);
        }

        var json = _api.Requests.First(r => r.ContentType == "application/json");
        var file = File.ReadAllText(FileOf(json.Creditor));
        Assert.All(json.Text.Split(",\n").Skip(1).SkipLast(1), row => Assert.Contains(row, file, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_429_is_waited_out_for_its_retry_after_and_the_batch_sent_again()
    {
        _api.Respond = r => r.Attempt == 1 && r.Creditor == "wbc-delinde" ? new FakeResponse(429, RetryAfterSeconds: 7) : FakeResponse.Accepted(r);

        var run = await PostDirAsync("--batch", "1000");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(TimeSpan.FromSeconds(7), _cli.Delays);
        Assert.Equal(3_000, _api.Requests.Where(r => r.Attempt == 1 && r.Creditor != "wbc-delinde").Sum(r => r.Rows.Count) + _api.Requests.Where(r => r.Creditor == "wbc-delinde" && r.Attempt == 2).Sum(r => r.Rows.Count));
        Assert.Contains("Throttled (429)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_503_is_retried_with_back_off_and_then_succeeds()
    {
        _api.Respond = r => r.Attempt <= 2 ? new FakeResponse(503) : FakeResponse.Accepted(r);

        var run = await _cli.RunAsync("post", "--file", FileOf("zorg-gezondplus"), "--url", _api.Url, "--creditors", CreditorsFile, "--receipts", _month.File("r.json"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, _cli.Delays.Count);
        Assert.True(_cli.Delays.Last() > _cli.Delays.First(), "back-off grows");
        Assert.Equal(3, _api.Requests.Count);
    }

    [Fact]
    public async Task A_503_that_persists_fails_the_run_after_the_retries_with_exit_code_1()
    {
        _api.Respond = _ => new FakeResponse(503);

        var run = await _cli.RunAsync("post", "--file", FileOf("zorg-gezondplus"), "--url", _api.Url, "--creditors", CreditorsFile, "--retries", "2");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(3, _api.Requests.Count);
        Assert.Contains("HTTP 503", run.Out, StringComparison.Ordinal);
        Assert.Contains("gave up after 3 attempts", run.Out, StringComparison.Ordinal);
        using var receipts = JsonDocument.Parse(File.ReadAllBytes(_month.File("receipts.json")));
        Assert.Equal("zorg-gezondplus", receipts.RootElement.GetProperty("failures")[0].GetProperty("creditor").GetString());
    }

    [Fact]
    public async Task A_refused_key_stops_that_file_at_once_without_retrying_and_exits_1()
    {
        var run = await _cli.RunAsync("post", "--file", FileOf("wbc-delinde"), "--url", _api.Url, "--key", "not-a-key");

        Assert.Equal(1, run.ExitCode);
        Assert.Single(_api.Rejections);
        Assert.Empty(_cli.Delays);
        Assert.Contains("HTTP 401", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Row_errors_of_a_400_and_a_202_are_mapped_back_to_rows_of_the_file_and_counted_by_code()
    {
        // Reject every request row whose reference ends in 7; atomic-style 400 for the first batch only.
        _api.Respond = r =>
        {
            var errors = r.Rows.Select((row, i) => (Row: i + 1, Ref: row.GetProperty("signaalReferentie").GetString()!))
                .Where(x => x.Ref.EndsWith('7'))
                .Select(x => new { row = x.Row, signaalReferentie = x.Ref, field = "client.postcode", code = "postcode.invalid", message = "bad postcode" })
                .ToArray();
            var first = r.Rows[0].GetProperty("signaalReferentie").GetString()!.EndsWith("000001", StringComparison.Ordinal);
            return first
                ? new FakeResponse(400, new { type = "about:blank", title = "invalid signals", status = 400, accepted = 0, errors }, "application/problem+json")
                : new FakeResponse(202, new { receiptId = "r", accepted = r.Rows.Count - errors.Length, rejected = errors.Length, duplicates = 0, errors });
        };
        var path = FileOf("wbc-stadswonen");

        var run = await _cli.RunAsync("post", "--file", path, "--url", _api.Url, "--creditors", CreditorsFile, "--batch", "50");

        Assert.Equal(0, run.ExitCode);
        var references = ReferencesIn(path);
        using var receipts = JsonDocument.Parse(File.ReadAllBytes(_month.File("receipts.json")));
        var all = receipts.RootElement.GetProperty("receipts").EnumerateArray().ToList();
        Assert.Equal(400, all[0].GetProperty("status").GetInt32());
        Assert.Equal(50, all[0].GetProperty("rejected").GetInt32());
        var errors = all.SelectMany(r => r.GetProperty("errors").EnumerateArray()).ToList();
        Assert.Equal(references.Count(r => r.EndsWith('7')), errors.Count);
        Assert.All(errors, e => Assert.Equal(e.GetProperty("signaalReferentie").GetString(), references[e.GetProperty("row").GetInt32() - 1]));
        Assert.Contains(errors, e => e.GetProperty("row").GetInt32() > 50);
        Assert.Matches(@"postcode\.invalid\s+" + errors.Count, run.Out);
    }

    [Fact]
    public async Task A_400_without_row_errors_is_a_failure()
    {
        _api.Respond = _ => new FakeResponse(400, new { title = "body is not a signal batch", status = 400 }, "application/problem+json");

        var run = await _cli.RunAsync("post", "--file", FileOf("wbc-delinde"), "--url", _api.Url, "--creditors", CreditorsFile);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("400 without row errors: body is not a signal batch", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Atomic_mode_and_an_explicit_creditor_and_key_are_passed_on()
    {
        var key = Creditors.Find("energie-polder")!.ApiKeys[0];
        var copy = _month.File("october.csv");
        File.Copy(FileOf("energie-polder"), copy);

        var run = await _cli.RunAsync("post", "--file", copy, "--creditor", "energie-polder", "--key", key, "--url", _api.Url + "/", "--mode", "atomic");

        Assert.Equal(0, run.ExitCode);
        Assert.All(_api.Requests, r => Assert.Equal("atomic", r.Mode));
        Assert.All(_api.Requests, r => Assert.Equal("energie-polder", r.Creditor));
    }

    [Fact]
    public async Task An_api_that_is_not_listening_is_a_transport_failure_with_exit_code_1()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var run = await _cli.RunAsync("post", "--file", FileOf("wbc-delinde"), "--url", $"http://127.0.0.1:{port}", "--creditors", CreditorsFile, "--retries", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Single(_cli.Delays);
        Assert.Contains("gave up after 2 attempts", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_of_unknown_creditors_are_skipped_with_a_warning_and_the_manifest_is_never_posted()
    {
        File.WriteAllText(_month.File("somebody-else.json"), "[]");

        var run = await PostDirAsync();

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("skipping somebody-else.json", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_api.Requests, r => r.Text.Contains("\"$comment\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Progress_goes_to_stderr_and_the_summary_to_stdout()
    {
        var run = await PostDirAsync();

        Assert.Contains("post: 3,000/3,000 rows, 7/7 files", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("post:", run.Out, StringComparison.Ordinal);
        Assert.Contains("Receipts: ", run.Out, StringComparison.Ordinal);
    }

    private static List<string> ReferencesIn(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        return Path.GetExtension(path) switch
        {
            ".json" => [.. JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.GetProperty("signaalReferentie").GetString()!)],
            ".ndjson" => [.. text.Split('\n').Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("signaalReferentie").GetString()!)],
            _ => [.. text.Split("\r\n").Skip(1).Where(l => l.Length > 0).Select(l => l.Split(';')[0])],
        };
    }
}
