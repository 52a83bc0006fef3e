using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Core.Common;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>Which signals take the crisis fast path while their chunk is processed, on real Azurite.</summary>
public sealed class FastPathTests : IDisposable
{
    // The app's own tally: what the fast path read shows in its triage-stage requests.
    private readonly StorageRequestTally _tally = new(TimeProvider.System);
    private readonly PipelineApp _app;

    public FastPathTests() => _app = new PipelineApp(services: s => s.AddSingleton(_tally));

    [Fact]
    public async Task A_near_end_of_supply_is_triaged_at_once_and_a_distant_one_is_not_even_read_until_the_timer()
    {
        await PostAsync(TestSignals.Signal("EIND-FAR", "Energie", 600m, huisnummer: 12, eindelevering: TestSignals.Today.AddDays(90)));
        await _app.ProcessAllAsync();

        Assert.Empty(await _app.RowsAsync("t|"));
        Assert.Equal(0, HouseholdReadsInTriage());

        await PostAsync(TestSignals.Signal("EIND-NEAR", "Energie", 600m, huisnummer: 13, eindelevering: TestSignals.Today.AddDays(1)));
        await _app.ProcessAllAsync();

        var task = Assert.Single(await _app.RowsAsync("t|"));
        Assert.Equal("Spoed", task.GetString("Priority"));
        Assert.Equal(1, HouseholdReadsInTriage());

        await _app.RunPipelineAsync();
        Assert.Equal(2, (await _app.RowsAsync("t|")).Count);
    }

    public void Dispose() => _app.Dispose();

    private long HouseholdReadsInTriage() => _tally.Snapshot()
        .Where(r => r.Stage == WorkStage.Triage && r.Target == "households" && r.Operation == "query")
        .Sum(r => r.Count);

    private async Task PostAsync(JsonObject signal)
    {
        using var response = await _app.PostAsync(TestEnvironment.EnergieKey, TestSignals.Array(signal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
