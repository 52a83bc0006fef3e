using Microsoft.Extensions.DependencyInjection;
using System.Net;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Cli;

/// <summary>The operator commands of `vroeg` against a real app's storage on Azurite.</summary>
public sealed class OperationsCommandsTests : IDisposable
{
    private readonly PipelineApp _app = new(new Dictionary<string, string?> { ["Dispatch:SweepAfter"] = "00:00:00" });

    [Fact]
    public async Task Tasks_tail_shows_the_tasks_of_a_gemeente_and_consume_removes_them()
    {
        await PostAsync(TestSignals.Signal("TAIL-1", "Huur", 1100m, huisnummer: 21), TestSignals.Signal("TAIL-2", "Huur", 700m, huisnummer: 22));
        await _app.RunPipelineAsync();

        var (rc, output, error) = await RunAsync("tasks", "tail", "--gemeente", "GM0363", "--consume");

        Assert.Equal(0, rc);
        Assert.Equal(2, output.Split('\n').Count(l => l.Contains(" t-", StringComparison.Ordinal)));
        Assert.Contains("2 task(s) for gemeente 0363", error, StringComparison.Ordinal);
        Assert.Equal(0, await Topic().CountAsync("0363", CancellationToken.None));
    }

    [Fact]
    public async Task Tasks_tail_without_consume_leaves_the_topic_as_it_was()
    {
        await PostAsync(TestSignals.Signal("LOOK-1", "Huur", 1100m, huisnummer: 31), TestSignals.Signal("LOOK-2", "Huur", 700m, huisnummer: 32));
        await _app.RunPipelineAsync();
        var before = await EntitiesAsync();

        var first = await RunAsync("tasks", "tail", "--gemeente", "0363");
        var second = await RunAsync("tasks", "tail", "--gemeente", "0363");

        // Both looks see every task, and every entity of the topic (messages and their ids) is untouched, ETags included.
        Assert.Equal(4, before.Count);
        Assert.All(new[] { first, second }, look =>
        {
            Assert.Equal(0, look.Rc);
            Assert.Contains("2 task(s) for gemeente 0363", look.Error, StringComparison.Ordinal);
        });
        Assert.Equal(before, await EntitiesAsync());
        Assert.Equal(2, (await Topic().ReceiveAndDeleteAsync("0363", 10, CancellationToken.None)).Count);
    }

    private VroegSignalering.Azure.Transport.LocalTopic Topic() => _app.Services.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopic>();

    private async Task<List<string>> EntitiesAsync()
    {
        var all = new List<string>();
        await foreach (var e in _app.Storage.Tables.GetTableClient(_app.Names.OutreachTopic).QueryAsync<global::Azure.Data.Tables.TableEntity>())
        {
            all.Add($"{e.PartitionKey}/{e.RowKey}/{e.ETag}");
        }

        return all;
    }

    [Fact]
    public async Task Quarantine_list_shows_unroutable_signals_with_their_reason()
    {
        await PostAsync(TestSignals.Signal("QL-1", postcode: TestSignals.UnroutablePostcode, huisnummer: 5));
        await _app.ProcessAllAsync();

        var (rc, output, _) = await RunAsync("quarantine", "list");

        Assert.Equal(0, rc);
        Assert.Contains("address.not_found", output, StringComparison.Ordinal);
        Assert.DoesNotContain(TestSignals.UnroutablePostcode, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poison_redrive_moves_messages_back_to_their_queue()
    {
        var poison = _app.Storage.Queues.GetQueueClient(_app.Names.SignalsIntakeQueue + "-poison");
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync("""{"receiptId":"r-x","chunk":2}""");

        var (listRc, listed, _) = await RunAsync("poison", "list", "--queue", _app.Names.SignalsIntakeQueue);
        var (rc, output, _) = await RunAsync("poison", "redrive", "--queue", _app.Names.SignalsIntakeQueue);

        Assert.Equal(0, listRc);
        Assert.Contains("receipt r-x chunk 2", listed, StringComparison.Ordinal);
        Assert.Equal(0, rc);
        Assert.Contains("moved 1 message(s)", output, StringComparison.Ordinal);
        Assert.Equal(1, (await _app.Storage.Queues.GetQueueClient(_app.Names.SignalsIntakeQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Report_waits_for_the_pipeline_and_writes_json_and_html()
    {
        await PostAsync(TestSignals.Signal("REPORT-1", "Huur", 1100m, huisnummer: 23));
        var folder = Directory.CreateTempSubdirectory("vroeg-report-").FullName;
        try
        {
            var driving = Task.Run(async () =>
            {
                for (var i = 0; i < 5; i++)
                {
                    await _app.RunPipelineAsync();
                }
            });
            var (rc, output, error) = await RunAsync("report", "--wait", "--timeout", "60", "--json", Path.Combine(folder, "r.json"), "--html", Path.Combine(folder, "r.html"));
            await driving;

            Assert.True(rc == 0, error);
            Assert.Contains("signals accepted", output, StringComparison.Ordinal);
            Assert.Contains("settled:", error, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(folder, "r.json")));
            Assert.Contains("<svg", await File.ReadAllTextAsync(Path.Combine(folder, "r.html")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Outbox_list_reports_no_failed_rows_on_a_healthy_run()
    {
        var (rc, _, error) = await RunAsync("outbox", "list");

        Assert.Equal(0, rc);
        Assert.Contains("0 failed outbox row(s)", error, StringComparison.Ordinal);
    }

    public void Dispose() => _app.Dispose();

    private async Task PostAsync(params System.Text.Json.Nodes.JsonObject[] signals)
    {
        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(signals));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private Task<(int Rc, string Out, string Error)> RunAsync(params string[] args) => _app.RunCliAsync(args);
}
