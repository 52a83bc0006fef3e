using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Testing;

namespace VroegSignalering.Cli.Tests.Load;

/// <summary>
/// `vroeg load` against a fake intake in memory: the accounting passes a faithful API and fails (exit 1) on
/// a 5xx or on an answer that loses a row. The run against the real app is in the Functions tests.
/// </summary>
public sealed class LoadCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_faithful_api_passes_with_every_kind_sent_and_every_row_accounted_for()
    {
        var api = new FakeIntake();

        var run = await RunAsync(api, "--app-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Contains("verdict: PASS", run.Out, StringComparison.Ordinal);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(_dir.File("load.json")))!;
        Assert.Equal(0, (int)report["serverErrors"]!);
        Assert.Equal(0, (long)report["rows"]!["unaccounted"]!);
        var rows = report["rows"]!;
        Assert.Equal((long)rows["sent"]!, (long)rows["accepted"]! + (long)rows["rejected"]! + (long)rows["duplicate"]! + (long)rows["refusedWhole"]!);
        Assert.Equal(8, report["byKind"]!.AsArray().Count);
        Assert.Equal(api.Requests, (int)report["latencyMs"]!["samples"]!);
        Assert.Contains("storage: not checked", run.Out, StringComparison.Ordinal);
        Assert.NotNull(report["appPeakMemory"]);
        Assert.Equal(Environment.ProcessId, (int)report["appPeakMemory"]!["pid"]!);
        Assert.True((long)report["appPeakMemory"]!["peakBytes"]! >= Environment.WorkingSet / 2, "VmHWM is at least the memory the process uses now");
        Assert.Contains($"(VmHWM, pid {Environment.ProcessId})", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttled_requests_are_counted_apart_and_refuse_their_rows_whole_without_failing_the_run()
    {
        var run = await RunAsync(new FakeIntake { ThrottleEvery = 4 });

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(_dir.File("load.json")))!;
        Assert.Equal(120 / 4, (int)report["throttled"]!);
        Assert.True((long)report["refusedWholeByStatus"]!["429"]! >= 120 / 4);
        Assert.Equal(0, (long)report["rows"]!["unaccounted"]!);
    }

    [Fact]
    public async Task One_answer_of_5xx_fails_the_run()
    {
        var run = await RunAsync(new FakeIntake { FailRequest = 5 });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("verdict: FAIL: 1 answer(s) of 5xx", run.Out, StringComparison.Ordinal);
        Assert.Equal(1, (int)JsonNode.Parse(await File.ReadAllTextAsync(_dir.File("load.json")))!["serverErrors"]!);
    }

    [Fact]
    public async Task An_answer_that_loses_a_row_fails_the_run()
    {
        var run = await RunAsync(new FakeIntake { LoseOneRow = true });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("1 row(s) unaccounted for in the answers", run.Out, StringComparison.Ordinal);
        Assert.Equal(1, (long)JsonNode.Parse(await File.ReadAllTextAsync(_dir.File("load.json")))!["rows"]!["unaccounted"]!);
    }

    private async Task<CliRun> RunAsync(FakeIntake api, params string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var env = new CliEnvironment
        {
            Out = TextWriter.Synchronized(output),
            Error = TextWriter.Synchronized(error),
            Delay = (_, _) => Task.CompletedTask,
            BaseDirectory = RepositoryRoot.Find(),
            HttpHandler = () => api,
        };
        var rc = await Program.RunAsync(
            ["load", "--url", "http://fake.invalid", "--duration", "30", "--creditors", "2", "--rate", "120", "--seed", "4", "--skip-storage",
             "--json", _dir.File("load.json"), "--set", "Intake:MaxBodyBytes=" + FakeIntake.MaxBodyBytes, "--set", "Intake:MaxRowsPerRequest=" + FakeIntake.MaxRows, .. extra],
            env);
        return new CliRun(rc, output.ToString(), error.ToString());
    }

    /// <summary>An intake that answers as the API documents, by counting rows; one request may be made to fail.</summary>
    private sealed class FakeIntake : HttpMessageHandler
    {
        public const int MaxBodyBytes = 30_000;
        public const int MaxRows = 12;
        private int _requests;
        private int _lost;

        public int? FailRequest { get; init; }

        /// <summary>The first 202 counts one row fewer than it was sent.</summary>
        public bool LoseOneRow { get; init; }

        /// <summary>Every so many requests answer 429 with Retry-After, as the rate limiter does.</summary>
        public int? ThrottleEvery { get; init; }

        public int Requests => _requests;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _requests);
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var rows = CountOf(Encoding.UTF8.GetString(body), "\"signaalReferentie\"");
            if (n == FailRequest)
            {
                return Answer(HttpStatusCode.InternalServerError, new JsonObject { ["title"] = "boom" });
            }

            if (n % ThrottleEvery == 0)
            {
                var throttled = Answer(HttpStatusCode.TooManyRequests, new JsonObject { ["title"] = "Too many requests" });
                throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
                return throttled;
            }

            if (request.Content.Headers.ContentType?.MediaType is not ("application/json" or "application/x-ndjson"))
            {
                return Answer(HttpStatusCode.UnsupportedMediaType, new JsonObject { ["title"] = "Unsupported media type" });
            }

            if (body.Length > MaxBodyBytes || rows > MaxRows)
            {
                return Answer(HttpStatusCode.RequestEntityTooLarge, new JsonObject { ["title"] = "Request too large" });
            }

            if (request.Content.Headers.ContentType.MediaType == "application/json" && !IsJson(body))
            {
                return Answer(HttpStatusCode.BadRequest, new JsonObject { ["title"] = "Unreadable request" });
            }

            var lost = LoseOneRow && Interlocked.Exchange(ref _lost, 1) == 0 ? 1 : 0;
            return Answer(HttpStatusCode.Accepted, new JsonObject { ["receiptId"] = "r-" + n, ["accepted"] = rows - lost, ["rejected"] = 0, ["duplicates"] = 0 });
        }

        private static bool IsJson(byte[] body)
        {
            try
            {
                using var _ = JsonDocument.Parse(body);
                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        private static int CountOf(string text, string what)
        {
            var count = 0;
            for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }

        private static HttpResponseMessage Answer(HttpStatusCode status, JsonObject body) =>
            new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
    }
}
