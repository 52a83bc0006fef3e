using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Azure.Data.Tables;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Cli;

/// <summary>
/// `vroeg verify` on a real pipeline's storage in Azurite: a healthy run verifies, and each kind of loss or
/// double, built into storage or the local topic by hand, fails it with the id that is wrong.
/// </summary>
public sealed class VerifyCommandTests : IDisposable
{
    private readonly PipelineApp _app = new(new Dictionary<string, string?> { ["Dispatch:SweepAfter"] = "00:00:00" });

    [Fact]
    public async Task A_healthy_run_verifies_and_the_topic_keeps_every_message()
    {
        await RunMonthAsync();

        var (rc, output, error) = await _app.RunCliAsync("verify");

        Assert.True(rc == 0, output + error);
        Assert.Contains("accepted 3, stored 2, quarantined 1", output, StringComparison.Ordinal);
        Assert.Contains("verified: lost 0, doubled 0", output, StringComparison.Ordinal);
        Assert.Equal(2, (await Topic().ReceiveAndDeleteAsync("0363", 10, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_signal_missing_from_storage_fails_as_lost()
    {
        await RunMonthAsync();
        var signal = (await _app.RowsAsync("s|"))[0];
        await HouseholdTable(signal).DeleteEntityAsync(signal.PartitionKey, signal.RowKey);

        var (rc, output, _) = await _app.RunCliAsync("verify");

        Assert.Equal(1, rc);
        Assert.Contains($"lost:    {signal.RowKey[2..]}", output, StringComparison.Ordinal);
        Assert.Contains("NOT verified: lost 1, doubled 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_signal_that_is_also_quarantined_fails_as_doubled()
    {
        await RunMonthAsync();
        var signalId = (await _app.RowsAsync("s|"))[0].RowKey[2..];
        var quarantine = _app.Storage.Tables.GetTableClient(_app.Names.Quarantine);
        var quarantined = (await _app.EntitiesAsync(_app.Names.Quarantine)).Single();
        var copy = new TableEntity(quarantined.PartitionKey, signalId);
        foreach (var (key, value) in quarantined.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")))
        {
            copy[key] = value;
        }

        await quarantine.AddEntityAsync(copy);

        var (rc, output, _) = await _app.RunCliAsync("verify");

        Assert.Equal(1, rc);
        Assert.Contains($"doubled: {signalId}", output, StringComparison.Ordinal);
        Assert.Contains("NOT verified: lost 0, doubled 1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_case_revision_whose_task_row_is_gone_fails_as_lost()
    {
        await RunMonthAsync();
        var task = (await _app.RowsAsync("t|"))[0];
        await HouseholdTable(task).DeleteEntityAsync(task.PartitionKey, task.RowKey);

        var (rc, output, _) = await _app.RunCliAsync("verify");

        Assert.Equal(1, rc);
        Assert.Contains($"lost:    {task.GetString("CaseId")}#{task.GetInt32("Revision")}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dispatched_task_without_a_message_on_the_topic_fails_as_lost()
    {
        await RunMonthAsync();
        var taskId = (await Topic().ReceiveAndDeleteAsync("0363", 1, CancellationToken.None)).Single().MessageId;

        var (rc, output, _) = await _app.RunCliAsync("verify");

        Assert.Equal(1, rc);
        Assert.Contains($"lost:    {taskId}", output, StringComparison.Ordinal);
        Assert.Contains("NOT verified: lost 1, doubled 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_whose_message_is_on_the_topic_twice_fails_as_doubled()
    {
        await RunMonthAsync();
        var first = (await Topic().PeekAsync("0363", 1, CancellationToken.None)).Single();
        var copy = first with { EnqueuedTime = first.EnqueuedTime!.Value.AddSeconds(1) };
        await _app.Storage.Tables.GetTableClient(_app.Names.OutreachTopic).AddEntityAsync(VroegSignalering.Azure.Transport.LocalTopic.MessageEntity("0363", copy)!);
        var taskId = first.MessageId;

        var (rc, output, _) = await _app.RunCliAsync("verify");

        Assert.Equal(1, rc);
        Assert.Contains($"doubled: {taskId}@0363", output, StringComparison.Ordinal);
        Assert.Contains("NOT verified: lost 0, doubled 1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_without_any_accepted_signal_fails_because_it_proves_nothing()
    {
        var (rc, _, error) = await _app.RunCliAsync("verify");

        Assert.Equal(1, rc);
        Assert.Contains("nothing to verify", error, StringComparison.Ordinal);
    }

    public void Dispose() => _app.Dispose();

    // Two routable signals of two households in gemeente 0363 (two cases, two tasks) and one unroutable one.
    private async Task RunMonthAsync()
    {
        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(
            TestSignals.Signal("VERIFY-1", "Huur", 1100m, huisnummer: 33),
            TestSignals.Signal("VERIFY-2", "Huur", 900m, huisnummer: 34),
            TestSignals.Signal("VERIFY-3", postcode: TestSignals.UnroutablePostcode, huisnummer: 5)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _app.RunPipelineAsync();
        Assert.Equal(2, (await _app.RowsAsync("t|")).Count);
    }

    private VroegSignalering.Azure.Transport.LocalTopic Topic() => _app.Services.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopic>();

    private TableClient HouseholdTable(TableEntity row) => _app.Storage.Tables.GetTableClient(_app.Names.Households(row.PartitionKey));
}
