using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Operations;

/// <summary>GET /api/v1/operations/storage-requests answers an operator with this instance's tally, as it holds it.</summary>
public sealed class StorageRequestsEndpointTests : IDisposable
{
    // The app's own tally, so the storage requests of tests running beside this one do not mix in.
    private readonly StorageRequestTally _tally = new(TimeProvider.System);
    private readonly PipelineApp _app;

    public StorageRequestsEndpointTests() => _app = new PipelineApp(services: s => s.AddSingleton(_tally));

    [Fact]
    public async Task An_operator_gets_every_row_of_the_tally_with_its_count_and_when_counting_began()
    {
        _tally.Increment(new StorageRequestKey("triage", "table", "get", "households"));
        _tally.Increment(new StorageRequestKey("triage", "table", "get", "households"));
        _tally.Increment(new StorageRequestKey("intake", "queue", "send", "signals-intake"));

        var body = await GetAsync(TestEnvironment.OperatorKey);

        // Read from the tally at the time of the answer: the app's own start-up reads may have added rows since.
        var rows = body["rows"]!.AsArray().Select(r => ((string)r!["stage"]!, (string)r["service"]!, (string)r["operation"]!, (string)r["target"]!, (long)r["count"]!)).ToList();
        Assert.Contains(("triage", "table", "get", "households", 2L), rows);
        Assert.Contains(("intake", "queue", "send", "signals-intake", 1L), rows);
        Assert.Equal(_tally.Snapshot().Where(r => r.Stage != "other").Select(r => (r.Stage, r.Service, r.Operation, r.Target, r.Count)), rows.Where(r => r.Item1 != "other"));
        Assert.Equal(_tally.StartedAt, body["instanceStartedAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task The_app_counts_its_own_storage_requests_into_the_tally_the_endpoint_reads()
    {
        using var accepted = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("COUNT-1")));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var rows = (await GetAsync(TestEnvironment.OperatorKey))["rows"]!.AsArray();

        Assert.Contains(rows, r => (string?)r!["stage"] == "intake" && (string?)r["service"] == "queue" && (string?)r["operation"] == "send" && (long)r["count"]! >= 1);
    }

    [Fact]
    public async Task Without_an_operator_credential_the_tally_is_not_shown()
    {
        using var anonymous = await _app.Http.GetAsync("/api/v1/operations/storage-requests");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/operations/storage-requests");
        request.Headers.Add("X-Api-Key", TestEnvironment.HuurKey);
        using var creditor = await _app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, creditor.StatusCode);
        Assert.DoesNotContain("rows", await creditor.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public void Dispose() => _app.Dispose();

    private async Task<JsonNode> GetAsync(string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/operations/storage-requests");
        request.Headers.Add("X-Api-Key", apiKey);
        using var response = await _app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
