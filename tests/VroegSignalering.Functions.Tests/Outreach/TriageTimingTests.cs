using System.Net;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>When triage runs: it waits for an intake backlog, and the crisis fast path can be switched off.</summary>
public sealed class TriageTimingTests
{
    [Fact]
    public async Task TriageCases_waits_while_the_intake_queue_holds_a_backlog_and_triages_once_it_is_processed()
    {
        using var app = new PipelineApp();
        await PostAsync(app, TestSignals.Signal("BACKLOG-1", "Huur", 900m, huisnummer: 24));
        await PostAsync(app, TestSignals.Signal("BACKLOG-2", "Huur", 900m, huisnummer: 25));
        await app.ProcessAllAsync();
        await PostAsync(app, TestSignals.Signal("BACKLOG-3", "Huur", 900m, huisnummer: 27)); // still queued

        await app.TriageAsync();
        var casesWhileQueued = (await app.RowsAsync("c|")).Count;
        await app.ProcessAllAsync();
        await app.TriageAsync();

        Assert.Equal(0, casesWhileQueued);
        Assert.Equal(3, (await app.RowsAsync("c|")).Count);
    }

    [Fact]
    public async Task With_the_fast_path_off_a_crisis_signal_waits_for_TriageCases()
    {
        using var app = new PipelineApp(new Dictionary<string, string?> { ["Triage:FastPath"] = "false" });
        await PostAsync(app, TestSignals.Signal("NOFAST-1", "Huur", 2500m, huisnummer: 26, crisis: true));

        await app.ProcessAllAsync();
        Assert.Empty(await app.RowsAsync("t|"));

        await app.TriageAsync();
        Assert.Equal("Spoed", Assert.Single(await app.RowsAsync("t|")).GetString("Priority"));
    }

    [Fact]
    public async Task A_chunks_mark_stays_for_a_household_still_settling_and_goes_for_the_one_triaged()
    {
        // Utrecht (0344) waits an hour; Amsterdam (0363) does not. One request, one chunk: one mark lists both households.
        using var app = new PipelineApp(new Dictionary<string, string?> { ["Triage:Gemeenten:0344:SettleSeconds"] = "3600" });
        using (var response = await app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(
            TestSignals.Signal("MARK-AMS", "Huur", 900m, postcode: "1011AB", huisnummer: 24),
            TestSignals.Signal("MARK-UTR", "Huur", 900m, postcode: "3511XA", huisnummer: 1))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await app.ProcessAllAsync();
        var before = Assert.Single(await app.EntitiesAsync(app.Names.Changes)).GetString("Households");
        await app.TriageAsync();

        var cases = await app.RowsAsync("c|");
        Assert.Equal("0363", Assert.Single(cases).GetString("Gemeente"));
        var left = Assert.Single(await app.EntitiesAsync(app.Names.Changes)).GetString("Households");
        Assert.Equal(2, before.Split(';').Length);
        Assert.Equal([before.Split(';').Single(h => h.EndsWith(":0344", StringComparison.Ordinal))], left.Split(';'));
    }

    private static async Task PostAsync(PipelineApp app, System.Text.Json.Nodes.JsonObject signal)
    {
        using var response = await app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(signal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
