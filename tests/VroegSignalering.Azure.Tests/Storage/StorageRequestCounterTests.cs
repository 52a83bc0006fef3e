using System.Diagnostics.Metrics;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Storage;

/// <summary>
/// Every storage request the app's clients send is counted by stage, service, operation and target, from real
/// requests to Azurite through clients built as the app builds them (each test with its own tally).
/// </summary>
public sealed class StorageRequestCounterTests
{
    private readonly StorageRequestTally _tally = new(TimeProvider.System);

    private StorageClients Clients(Action<ClientOptions>? configure = null) =>
        StorageClients.FromConnectionString(Azurite.ConnectionString, configure ?? (_ => { }), _tally);

    [Fact]
    public async Task Each_kind_of_table_request_is_counted_as_its_operation_on_its_table_family()
    {
        var clients = Clients();
        // A test prefix, as Storage:TablePrefix gives, and a household shard: both collapse to the family.
        var table = clients.Tables.GetTableClient(Azurite.UniqueName("t") + "households3f");
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("p", "a") { ["N"] = 1 });
        var entity = (await table.GetEntityAsync<TableEntity>("p", "a")).Value;
        await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p").ToListAsync();
        await table.UpdateEntityAsync(entity, entity.ETag);
        await table.UpdateEntityAsync(new TableEntity("p", "a") { ["N"] = 3 }, ETag.All);
        await table.UpsertEntityAsync(new TableEntity("p", "b"));
        await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity("p", "c"))]);
        await table.DeleteEntityAsync("p", "b");

        Assert.Equal(
            [
                Row("batch", StorageRequestClassifier.InBody),
                Row("create-table", StorageRequestClassifier.InBody),
                Row("delete", "households"),
                Row("get", "households"),
                Row("insert", "households"),
                Row("query", "households"),
                Row("update", "households"),
                Row("upsert", "households", 2),
            ],
            _tally.Snapshot());

        static StorageRequestCount Row(string operation, string target, long count = 1) => new(WorkStage.Other, StorageRequestClassifier.Table, operation, target, count);
    }

    [Fact]
    public async Task Each_kind_of_queue_request_is_counted_as_its_operation_on_its_queue()
    {
        var clients = Clients();
        var name = Azurite.UniqueName("q");
        var queue = clients.Queues.GetQueueClient(name);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("one");
        await queue.PeekMessageAsync();
        var received = (await queue.ReceiveMessageAsync(TimeSpan.FromSeconds(30))).Value;
        var updated = (await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, "two", TimeSpan.Zero)).Value;
        await queue.DeleteMessageAsync(received.MessageId, updated.PopReceipt);
        await queue.GetPropertiesAsync();

        Assert.Equal(
            ["create-queue", "delete-message", "peek", "properties", "receive", "send", "update-message"],
            _tally.Snapshot().Select(r => r.Operation));
        Assert.All(_tally.Snapshot(), r => Assert.Equal((WorkStage.Other, StorageRequestClassifier.Queue, name, 1L), (r.Stage, r.Service, r.Target, r.Count)));
    }

    [Fact]
    public void The_family_of_a_table_drops_any_prefix_and_the_household_shard()
    {
        Assert.Equal("households", StorageRequestClassifier.TableFamily("households00"));
        Assert.Equal("households", StorageRequestClassifier.TableFamily("run7householdsff"));
        Assert.Equal("receiptchunks", StorageRequestClassifier.TableFamily("run7receiptchunks"));
        Assert.Equal("receipts", StorageRequestClassifier.TableFamily("receipts"));
        Assert.Equal("outreachtopic", StorageRequestClassifier.TableFamily("x1outreachtopic"));
        Assert.Equal("other", StorageRequestClassifier.TableFamily("somethingelse"));
    }

    [Fact]
    public async Task A_request_counts_under_the_work_stage_of_the_flow_that_sent_it_and_reaches_the_metric()
    {
        var clients = Clients();
        var table = clients.Tables.GetTableClient(Azurite.UniqueName("t") + "changes");
        await table.CreateIfNotExistsAsync();
        var measured = new List<(string Stage, string Operation)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == VroegTelemetry.Name && instrument.Name == VroegMetrics.StorageRequests)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
            // Other tests count in parallel on the same meter: keep this test's requests (its thread's stage flow).
            if (t["target"] == "changes" && t["stage"] is WorkStage.Triage or WorkStage.Dispatch)
            {
                lock (measured)
                {
                    measured.Add((t["stage"]!, t["operation"]!));
                }
            }
        });
        listener.Start();

        using (WorkStage.Enter(WorkStage.Triage))
        {
            await table.UpsertEntityAsync(new TableEntity("p", "a"));
            using (WorkStage.Enter(WorkStage.Dispatch))
            {
                await table.GetEntityAsync<TableEntity>("p", "a");
            }

            await table.GetEntityAsync<TableEntity>("p", "a");
        }

        await table.DeleteEntityAsync("p", "a");

        Assert.Equal(
            [
                new(WorkStage.Triage, "table", "get", "changes", 1),
                new(WorkStage.Triage, "table", "upsert", "changes", 1),
                new(WorkStage.Dispatch, "table", "get", "changes", 1),
                new(WorkStage.Other, "table", "create-table", StorageRequestClassifier.InBody, 1),
                new(WorkStage.Other, "table", "delete", "changes", 1),
            ],
            _tally.Snapshot());
        Assert.Contains((WorkStage.Triage, "upsert"), measured);
        Assert.Contains((WorkStage.Dispatch, "get"), measured);
    }

    [Fact]
    public async Task A_batch_or_table_creation_inside_a_named_target_counts_under_that_tables_family_and_other_requests_keep_their_own()
    {
        var clients = Clients();
        var topic = clients.Tables.GetTableClient(Azurite.UniqueName("t") + "outreachtopic");
        var other = clients.Tables.GetTableClient(Azurite.UniqueName("t") + "receipts");
        await other.CreateIfNotExistsAsync();

        using (StorageRequestTarget.Enter(topic.Name))
        {
            await topic.CreateIfNotExistsAsync();
            await topic.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("0363", "m1"))]);
            await other.UpsertEntityAsync(new TableEntity("p", "a"));
        }

        Assert.Equal(
            [
                new(WorkStage.Other, "table", "batch", "outreachtopic", 1),
                new(WorkStage.Other, "table", "create-table", StorageRequestClassifier.InBody, 1),
                new(WorkStage.Other, "table", "create-table", "outreachtopic", 1),
                new(WorkStage.Other, "table", "upsert", "receipts", 1),
            ],
            _tally.Snapshot());
    }

    [Fact]
    public async Task A_request_the_sdk_retries_counts_once_per_attempt()
    {
        var busyOnce = new StorageFaults(seed: 1, rate: 1, outlastRate: 0, maxRetries: 1,
            matches: r => r.Method == RequestMethod.Get, only: StorageFault.ServerBusy);
        var clients = Clients(options =>
        {
            options.Retry.Mode = RetryMode.Fixed;
            options.Retry.Delay = TimeSpan.FromMilliseconds(10);
            options.Retry.MaxRetries = 2;
            options.AddPolicy(busyOnce, HttpPipelinePosition.PerRetry);
        });
        var table = clients.Tables.GetTableClient(Azurite.UniqueName("t") + "signalrefs");
        await table.CreateIfNotExistsAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "a"));

        await table.GetEntityAsync<TableEntity>("p", "a");

        Assert.Equal(1, busyOnce.Injected(StorageFault.ServerBusy));
        Assert.Equal(2, _tally.Snapshot().Single(r => r.Operation == "get").Count);
    }

    [Fact]
    public async Task Clients_built_without_a_tally_count_into_the_process_tally_the_app_registers()
    {
        var clients = StorageClients.FromConnectionString(Azurite.ConnectionString);
        var name = Azurite.UniqueName("qp");
        await clients.Queues.GetQueueClient(name).CreateIfNotExistsAsync();

        Assert.Contains(StorageRequestTally.Process.Snapshot(), r => r.Target == name && r.Operation == "create-queue" && r.Count == 1);
        Assert.DoesNotContain(_tally.Snapshot(), r => r.Target == name);
    }
}
