using System.Net;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Functions.Intake;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Intake;

/// <summary>
/// Intake when storage fails for longer than the SDK's retries (kept, with a short back-off, so the app gets the
/// exception the SDK gives after its last try), for each kind of fault: the creditor gets a
/// 503 problem with Retry-After (a client that retries on 503 and 429 sends it again), and the re-post stores
/// each signal once, even when the failed attempt's queue write had landed.
/// </summary>
public sealed class IntakeUnderStorageFaultsTests
{
    [Theory]
    [InlineData(StorageFault.ServerBusy)]
    [InlineData(StorageFault.ConnectionReset)]
    [InlineData(StorageFault.TimeoutAfterLanding)]
    public async Task A_storage_failure_that_outlasts_the_retries_answers_503_with_retry_after_and_the_repost_stores_each_signal_once(StorageFault kind)
    {
        var faults = new StorageFaults(seed: 5, rate: 1, outlastRate: 1, matches: IsQueueSend, only: kind);
        using var app = new PipelineApp(services: s => s.AddSingleton(faults.Clients(Azurite.ConnectionString, quickRetries: true)));
        var body = TestSignals.Array(TestSignals.Signal("FLT-503-1"), TestSignals.Signal("FLT-503-2", huisnummer: 9));

        using (var refused = await app.PostAsync(TestEnvironment.HuurKey, body))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(IngestSignals.RetryAfter, refused.Headers.RetryAfter?.Delta);
            var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("https://vroegsignalering.example/problems/unavailable", (string?)problem["type"]);
            Assert.Equal(503, (int)problem["status"]!);
            Assert.Null(problem["receiptId"]);
        }

        Assert.Equal(1, faults.ReachedCaller(kind));

        faults.Enabled = false;
        using (var accepted = await app.PostAsync(TestEnvironment.HuurKey, body))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal(2, (int)JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["accepted"]!);
        }

        await app.ProcessAllAsync();
        var stored = (await app.RowsAsync("s|")).Select(s => s.GetString("Referentie")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["FLT-503-1", "FLT-503-2"], stored);
    }

    private static bool IsQueueSend(Request r) => r.Method == RequestMethod.Post && r.Uri.Path.EndsWith("/messages", StringComparison.Ordinal);
}
