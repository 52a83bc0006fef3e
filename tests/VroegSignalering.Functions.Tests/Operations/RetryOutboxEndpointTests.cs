using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Functions.Tests.Outreach;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Operations;

/// <summary>
/// POST /api/v1/operations/outbox/retry on real Azurite: failed rows go back to the gemeente's subscription on the local topic,
/// selected by gemeente or task, a dry run changes nothing, and bad input is 400 naming the field.
/// </summary>
public sealed class RetryOutboxEndpointTests : IDisposable
{
    private readonly SwitchableTransport _transport = new();
    private readonly CapturedLogs _logs = new();
    private readonly PipelineApp _app;

    public RetryOutboxEndpointTests()
    {
        _app = new PipelineApp(new Dictionary<string, string?> { ["Dispatch:SweepAfter"] = "00:00:00" }, services: s =>
        {
            _transport.Install(s);
            s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(_logs);
        });
    }

    [Fact]
    public async Task A_retry_re_queues_the_failed_rows_of_the_selected_gemeente_only_after_a_dry_run_that_changed_nothing()
    {
        var (amsterdam, utrecht) = await FailOneTaskInEachOfTwoGemeentenAsync();
        _transport.Refuse = null;

        var dry = await RetryAsync("""{"gemeentecode":"GM0363","dryRun":true}""");
        Assert.True(dry["dryRun"]!.GetValue<bool>());
        Assert.Equal(1, (int)dry["matched"]!);
        Assert.Equal(amsterdam, (string?)dry["rows"]![0]!["taskId"]);
        Assert.Equal("403 Forbidden (no Send claim)", (string?)dry["rows"]![0]!["lastError"]);
        Assert.Equal(0, (int)dry["sent"]!);
        Assert.All(await _app.RowsAsync("o|"), r => Assert.Equal("Failed", r.GetString("Status")));
        Assert.False(await QueueExistsAsync("0363"), "no task may have reached the topic");

        var done = await RetryAsync("""{"gemeentecode":"0363"}""");

        Assert.Equal(1, (int)done["sent"]!);
        Assert.Equal("gemeente 0363", (string?)done["selection"]);
        Assert.Equal(1, await QueueLengthAsync("0363"));
        Assert.False(await QueueExistsAsync("0344"), "no task of another gemeente may have been sent");
        var rows = (await _app.RowsAsync("o|")).ToDictionary(TaskId, r => r.GetString("Status"));
        Assert.Equal("Dispatched", rows[amsterdam]);
        Assert.Equal("Failed", rows[utrecht]);
        var audit = Assert.Single(_logs.Lines, l => l.Text.Contains("retried failed outbox rows (gemeente 0363, dry run False)", StringComparison.Ordinal));
        Assert.Contains("Operator " + TestEnvironment.OperatorId, audit.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retry_by_task_id_in_the_query_sends_that_row_and_a_retry_of_all_the_rest()
    {
        var (amsterdam, utrecht) = await FailOneTaskInEachOfTwoGemeentenAsync();
        _transport.Refuse = null;

        var one = await RetryAsync(null, "?taskId=" + Uri.EscapeDataString(utrecht));
        var rest = await RetryAsync(null);

        Assert.Equal(1, (int)one["sent"]!);
        Assert.Equal(utrecht, (string?)one["rows"]![0]!["taskId"]);
        Assert.Equal(1, (int)rest["sent"]!);
        Assert.Equal(amsterdam, (string?)rest["rows"]![0]!["taskId"]);
        Assert.Equal("all", (string?)rest["selection"]);
        Assert.Equal(1, await QueueLengthAsync("0344"));
        Assert.Equal(1, await QueueLengthAsync("0363"));
        Assert.All(await _app.RowsAsync("o|"), r => Assert.Equal("Dispatched", r.GetString("Status")));
    }

    [Theory]
    [InlineData("""{"gemeentecode":"36x"}""", "", "gemeentecode")]
    [InlineData("""{"gemeentecode":"0363","taskId":"t-1"}""", "", "taskId")]
    [InlineData("""{"dryRun":"yes"}""", "", "dryRun")]
    [InlineData("""{"gemeente":"0363"}""", "", "gemeente")]
    [InlineData("{\"taskId\":\"t-1\"", "", "body")]
    [InlineData("", "?dryRun=maybe", "dryRun")]
    [InlineData("""{"gemeentecode":"0363"}""", "?gemeentecode=0344", "gemeentecode")]
    public async Task Bad_input_is_400_problem_details_naming_the_field_and_retries_nothing(string body, string query, string field)
    {
        await FailOneTaskInEachOfTwoGemeentenAsync();
        _transport.Refuse = null;

        using var response = await SendAsync(body, query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(field, (string?)problem["errors"]![0]!["field"]);
        Assert.All(await _app.RowsAsync("o|"), r => Assert.Equal("Failed", r.GetString("Status")));
    }

    public void Dispose() => _app.Dispose();

    // Two households in two gemeenten (0363 and 0344); the broker refuses both tasks for good.
    private async Task<(string Amsterdam, string Utrecht)> FailOneTaskInEachOfTwoGemeentenAsync()
    {
        _transport.Refuse = "403 Forbidden (no Send claim)";
        using (var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(
                   TestSignals.Signal("RETRY-A", huisnummer: 26),
                   TestSignals.Signal("RETRY-U", postcode: "3511XA", huisnummer: 1))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await _app.RunPipelineAsync();
        var rows = await _app.RowsAsync("o|");
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("Failed", r.GetString("Status")));
        return (TaskId(rows.Single(r => r.GetString("Gemeente") == "0363")), TaskId(rows.Single(r => r.GetString("Gemeente") == "0344")));
    }

    // An outbox row's key is "o|" and its task id.
    private static string TaskId(global::Azure.Data.Tables.TableEntity row) => row.RowKey[2..];

    private async Task<JsonNode> RetryAsync(string? body, string query = "")
    {
        using var response = await SendAsync(body, query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private async Task<HttpResponseMessage> SendAsync(string? body, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/operations/outbox/retry" + query);
        if (!string.IsNullOrEmpty(body))
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.Add("X-Api-Key", TestEnvironment.OperatorKey);
        return await _app.Http.SendAsync(request);
    }

    private async Task<bool> QueueExistsAsync(string gemeente) =>
        await Topic().ExistsAsync(CancellationToken.None) && (await Topic().GemeentenAsync(CancellationToken.None)).Contains(gemeente);

    // Strict: a topic table that was never written throws (404) instead of reading as empty.
    private async Task<int> QueueLengthAsync(string gemeente) => await Topic().CountAsync(gemeente, CancellationToken.None);

    private VroegSignalering.Azure.Transport.LocalTopic Topic() => _app.Services.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopic>();
}
