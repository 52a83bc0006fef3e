using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Households;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Tables;

/// <summary>The change feed's and the outbox index's batched writes on real Azurite: batching never drops or keeps the wrong row.</summary>
public sealed class ChangeFeedAndOutboxIndexTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private readonly StorageNames _names = new()
    {
        TablePrefix = Azurite.UniqueName("cf"),
        SignalsIntakeQueue = "unused",
        DispatchQueue = "unused",
    };

    private TableSet Tables() => new(Azurite.Clients(), _names);

    [Fact]
    public async Task A_chunks_households_are_one_mark_entity_and_each_is_read()
    {
        var feed = new ChangeFeedTable(Tables());
        var keys = Keys(30);
        await feed.MarkChangedAsync(keys.Select(k => new HouseholdChange(k, "0363", At)).ToList(), CancellationToken.None);

        var table = await Tables().GetAsync(_names.Changes, CancellationToken.None);
        var entity = Assert.Single(await EntitiesAsync(table));
        var read = await ReadAsync(feed);
        Assert.Equal(keys, read.Select(c => c.HouseholdKey));
        Assert.All(read, c => Assert.Equal((entity.PartitionKey, entity.RowKey, 30, "0363"), (c.Location, c.Mark, c.MarkSize, c.Gemeentecode)));
    }

    [Fact]
    public async Task Acknowledging_what_was_read_keeps_a_household_marked_again_since()
    {
        var feed = new ChangeFeedTable(Tables());
        var keys = Keys(12);
        await feed.MarkChangedAsync(keys.Select(k => new HouseholdChange(k, "0363", At)).ToList(), CancellationToken.None);
        var read = await ReadAsync(feed);

        // A new signal for one household after the read: it is marked again.
        await feed.MarkChangedAsync([new HouseholdChange(keys[5], "0363", At.AddSeconds(1))], CancellationToken.None);
        var removed = await feed.AcknowledgeManyAsync(read, CancellationToken.None);

        Assert.Equal(12, removed);
        Assert.Equal([keys[5]], (await ReadAsync(feed)).Select(c => c.HouseholdKey));
    }

    [Fact]
    public async Task Acknowledging_part_of_a_mark_leaves_the_rest_listed_and_the_last_part_removes_it()
    {
        var feed = new ChangeFeedTable(Tables());
        var keys = Keys(10);
        await feed.MarkChangedAsync(keys.Select(k => new HouseholdChange(k, "0363", At)).ToList(), CancellationToken.None);
        var read = await ReadAsync(feed);

        // Two parts acknowledged with what was read first: the second meets a mark rewritten by the first.
        Assert.Equal(4, await feed.AcknowledgeManyAsync(read.Take(4).ToList(), CancellationToken.None));
        Assert.Equal(keys.Skip(4), (await ReadAsync(feed)).Select(c => c.HouseholdKey));
        Assert.Equal(6, await feed.AcknowledgeManyAsync(read.Skip(4).ToList(), CancellationToken.None));

        var table = await Tables().GetAsync(_names.Changes, CancellationToken.None);
        Assert.Empty(await EntitiesAsync(table));
    }

    [Fact]
    public async Task An_acknowledgement_that_meets_a_mark_rewritten_meanwhile_reads_it_again_and_removes_its_part()
    {
        var keys = Keys(40);
        await new ChangeFeedTable(Tables()).MarkChangedAsync(keys.Select(k => new HouseholdChange(k, "0363", At)).ToList(), CancellationToken.None);
        var read = await ReadAsync(new ChangeFeedTable(Tables()));
        var odd = read.Where((_, i) => i % 2 == 1).ToList();
        var otherCount = 0;

        // Just before this acknowledgement rewrites the mark, another one (of the other half) rewrites it first.
        var interfere = new RunBeforeFirst(
            r => r.Method == RequestMethod.Put && r.Uri.Path.Contains("(PartitionKey=", StringComparison.Ordinal),
            async () => otherCount = await new ChangeFeedTable(Tables()).AcknowledgeManyAsync(odd, CancellationToken.None));
        var clients = StorageClients.FromConnectionString(Azurite.ConnectionString, o => o.AddPolicy(interfere, HttpPipelinePosition.PerCall));
        var even = await new ChangeFeedTable(new TableSet(clients, _names)).AcknowledgeManyAsync(read.Where((_, i) => i % 2 == 0).ToList(), CancellationToken.None);

        Assert.True(interfere.Ran);
        Assert.Equal((20, 20), (even, otherCount));
        Assert.Empty(await ReadAsync(new ChangeFeedTable(Tables())));
    }

    [Fact]
    public async Task A_household_marked_by_two_chunks_that_went_to_two_partitions_is_read_twice_and_both_marks_are_acknowledged()
    {
        var feed = new ChangeFeedTable(Tables());
        await feed.MarkChangedAsync([new HouseholdChange("0aaa", "0363", At), new HouseholdChange("f00d", "0363", At)], CancellationToken.None);
        await feed.MarkChangedAsync([new HouseholdChange("1bbb", "0363", At), new HouseholdChange("f00d", "0363", At.AddSeconds(1))], CancellationToken.None);

        var read = await ReadAsync(feed);
        var marks = read.Where(c => c.HouseholdKey == "f00d").ToList();
        Assert.Equal(2, marks.Select(m => m.Location).Distinct().Count());

        Assert.Equal(2, await feed.AcknowledgeManyAsync(marks, CancellationToken.None));
        Assert.Equal(["0aaa", "1bbb"], (await ReadAsync(feed)).Select(c => c.HouseholdKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_mark_in_a_partition_of_the_earlier_layout_is_read_and_acknowledged_where_it_lies()
    {
        var table = await Tables().GetAsync(_names.Changes, CancellationToken.None);
        await table.AddEntityAsync(new TableEntity("c", "c0ffee") { ["Gemeente"] = "0363", ["ChangedAt"] = At });
        var feed = new ChangeFeedTable(Tables());

        var read = Assert.Single(await ReadAsync(feed));
        Assert.Equal(1, await feed.AcknowledgeManyAsync([read], CancellationToken.None));
        Assert.Empty(await ReadAsync(feed));
    }

    [Fact]
    public async Task A_mark_of_the_earlier_layout_written_again_since_it_was_read_stays()
    {
        var table = await Tables().GetAsync(_names.Changes, CancellationToken.None);
        await table.AddEntityAsync(new TableEntity("2", "c0ffee") { ["Gemeente"] = "0363", ["ChangedAt"] = At });
        var feed = new ChangeFeedTable(Tables());
        var read = Assert.Single(await ReadAsync(feed));

        // An app of the earlier version marks the household again (an upsert of the same entity).
        await table.UpsertEntityAsync(new TableEntity("2", "c0ffee") { ["Gemeente"] = "0363", ["ChangedAt"] = At.AddSeconds(1) }, TableUpdateMode.Replace);

        Assert.Equal(0, await feed.AcknowledgeManyAsync([read], CancellationToken.None));
        Assert.Equal("c0ffee", Assert.Single(await ReadAsync(feed)).HouseholdKey);
    }

    [Fact]
    public async Task Pointers_added_together_are_listed_and_removing_many_removes_them_even_when_one_is_gone_already()
    {
        var index = new OutboxIndexTable(Tables());
        var pointers = Enumerable.Range(0, 7).Select(i => new OutboxPointer($"{i:x2}hh", $"t-{i}", "0363", At.AddSeconds(i * 20))).ToList();
        await index.AddManyAsync(pointers, OutboxIndexState.Pending, CancellationToken.None);
        Assert.Equal(pointers.Select(p => p.TaskId), (await ListAsync(index)).Select(p => p.TaskId));

        await index.RemoveAsync(pointers[3], OutboxIndexState.Pending, CancellationToken.None);
        await index.RemoveManyAsync(pointers, OutboxIndexState.Pending, CancellationToken.None);

        Assert.Empty(await ListAsync(index));
    }

    [Fact]
    public async Task A_pointer_in_a_partition_of_the_earlier_layout_is_listed_without_a_write_and_removed_where_it_lies()
    {
        var table = await Tables().GetAsync(_names.OutboxIndex, CancellationToken.None);
        var pointer = new OutboxPointer("a1hh", "t-legacy", "0363", At);
        await table.AddEntityAsync(new TableEntity("pending-a", $"{TableKeys.Ticks(At)}|a1hh|t-legacy")
        {
            ["HouseholdKey"] = "a1hh",
            ["TaskId"] = "t-legacy",
            ["Gemeente"] = "0363",
            ["CreatedAt"] = At,
        });
        var index = new OutboxIndexTable(Tables());

        Assert.Equal(pointer, Assert.Single(await ListAsync(index)));

        // Listing wrote nothing (a dry run or a report lists too): the pointer is still where it was.
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("pending-a", $"{TableKeys.Ticks(At)}|a1hh|t-legacy")).HasValue);
        await index.RemoveManyAsync([pointer], OutboxIndexState.Pending, CancellationToken.None);
        Assert.Empty(await ListAsync(index));
    }

    /// <summary>Runs an action once, before the first matching request goes on its way.</summary>
    private sealed class RunBeforeFirst(Func<Request, bool> matches, Func<Task> action) : HttpPipelinePolicy
    {
        private int _ran;

        public bool Ran => _ran == 1;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (matches(message.Request) && Interlocked.Exchange(ref _ran, 1) == 0)
            {
                await action();
            }

            await ProcessNextAsync(message, pipeline);
        }
    }

    private static List<string> Keys(int count) =>
        Enumerable.Range(0, count).Select(i => i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + "aa").ToList();

    private static async Task<List<TableEntity>> EntitiesAsync(TableClient table)
    {
        var list = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>())
        {
            list.Add(e);
        }

        return list;
    }

    private static async Task<List<HouseholdChange>> ReadAsync(ChangeFeedTable feed)
    {
        var list = new List<HouseholdChange>();
        await foreach (var change in feed.ReadAsync(CancellationToken.None))
        {
            list.Add(change);
        }

        return list;
    }

    private static async Task<List<OutboxPointer>> ListAsync(OutboxIndexTable index)
    {
        var list = new List<OutboxPointer>();
        await foreach (var pointer in index.ListAsync(OutboxIndexState.Pending, DateTimeOffset.MaxValue, CancellationToken.None))
        {
            list.Add(pointer);
        }

        return list;
    }
}
