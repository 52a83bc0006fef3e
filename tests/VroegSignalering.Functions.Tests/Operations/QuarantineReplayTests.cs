using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Core.Quarantine;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Operations;

/// <summary>
/// A replay of the intake chunk (a retry of ProcessSignals) of a quarantined signal an operator assigned a gemeente to
/// by hand, on real Azurite: the replay neither undoes the assignment nor puts the assigned signal back in quarantine,
/// and the signal is stored in its household once.
/// </summary>
public sealed class QuarantineReplayTests : IDisposable
{
    private readonly PipelineApp _app = new();

    [Fact]
    public async Task A_replayed_chunk_does_not_put_a_signal_assigned_and_stored_by_hand_back_in_quarantine()
    {
        var (signalId, chunk) = await QuarantineOneAsync("QRP-1");
        using (var assigned = await AssignAsync(signalId))
        {
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        }

        var audit = await _app.EntitiesAsync(_app.Names.QuarantineAudit);
        var household = await _app.RowsAsync("s|");

        await ReplayAsync(chunk);

        Assert.Empty(await _app.EntitiesAsync(_app.Names.Quarantine));
        Assert.Equal(Describe(household), Describe(await _app.RowsAsync("s|")));
        Assert.Equal("0599", Assert.Single(household).GetString("Gemeente"));
        Assert.Equal(Describe(audit), Describe(await _app.EntitiesAsync(_app.Names.QuarantineAudit)));
    }

    [Fact]
    public async Task A_replayed_chunk_keeps_an_assignment_not_yet_completed_and_the_next_redrive_stores_the_signal_once_under_it()
    {
        var (signalId, chunk) = await QuarantineOneAsync("QRP-2");
        var resolutions = _app.Services.GetRequiredService<IQuarantineResolutions>();
        var entry = (await resolutions.FindAsync(signalId, CancellationToken.None))!;

        // The operator's assignment is on the row, the process died before the signal was stored.
        Assert.True(await resolutions.AssignAsync(entry, new QuarantineAssignment("0344", "address.renamed", "op-1", DateTimeOffset.UtcNow), CancellationToken.None));
        var before = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));

        await ReplayAsync(chunk);
        var after = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));
        using var redrive = await SendOperatorAsync(HttpMethod.Post, "/api/v1/operations/quarantine/redrive", "{}");

        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal("0344", after.GetString("AssignedGemeente"));
        Assert.Equal(before.GetDateTimeOffset("QuarantinedAt"), after.GetDateTimeOffset("QuarantinedAt"));
        Assert.Equal(HttpStatusCode.OK, redrive.StatusCode);
        Assert.Empty(await _app.EntitiesAsync(_app.Names.Quarantine));
        Assert.Equal("0344", Assert.Single(await _app.RowsAsync("s|")).GetString("Gemeente"));
    }

    [Fact]
    public async Task A_replayed_chunk_of_a_signal_nobody_assigned_leaves_its_quarantine_row_as_it_was()
    {
        var (_, chunk) = await QuarantineOneAsync("QRP-3");
        var before = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));

        await ReplayAsync(chunk);

        var after = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));
        Assert.Equal((before.RowKey, before.ETag), (after.RowKey, after.ETag));
    }

    public void Dispose() => _app.Dispose();

    // Posts one signal whose address does not route and processes it; returns its id and its intake message as queued.
    private async Task<(string SignalId, string Chunk)> QuarantineOneAsync(string reference)
    {
        var signal = TestSignals.Signal(reference, postcode: TestSignals.UnroutablePostcode, huisnummer: 5);
        using (var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(signal)))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var peeked = (await IntakeQueue().PeekMessagesAsync(maxMessages: 32)).Value;
        var chunk = Assert.Single(peeked).Body.ToString();
        Assert.Equal(1, await _app.ProcessAllAsync());
        return (Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine)).RowKey, chunk);
    }

    // The same message again, as the queue redelivers a chunk whose processing is retried.
    private async Task ReplayAsync(string chunk)
    {
        await IntakeQueue().SendMessageAsync(chunk);
        Assert.Equal(1, await _app.ProcessAllAsync());
    }

    private global::Azure.Storage.Queues.QueueClient IntakeQueue() => _app.Storage.RawQueues.GetQueueClient(_app.Settings["SignalsIntakeQueue"]);

    private Task<HttpResponseMessage> AssignAsync(string signalId) =>
        SendOperatorAsync(HttpMethod.Post, $"/api/v1/operations/quarantine/{Uri.EscapeDataString(signalId)}/assignment", """{"gemeentecode":"0599","reasonCode":"address.new_build"}""");

    private async Task<HttpResponseMessage> SendOperatorAsync(HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", TestEnvironment.OperatorKey);
        return await _app.Http.SendAsync(request);
    }

    private static List<string> Describe(IEnumerable<global::Azure.Data.Tables.TableEntity> rows) =>
        rows.Select(e => $"{e.PartitionKey} {e.RowKey} {e.ETag}").Order(StringComparer.Ordinal).ToList();
}
