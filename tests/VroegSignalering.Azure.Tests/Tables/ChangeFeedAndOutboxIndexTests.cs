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
    public async Task Acknowledging_many_marks_removes_them_but_keeps_one_that_changed_since_it_was_read()
    {
        var feed = new ChangeFeedTable(Tables());
        var keys = Enumerable.Range(0, 12).Select(i => i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + "aa").ToList();
        await feed.MarkChangedAsync(keys.Select(k => new HouseholdChange(k, "0363", At)).ToList(), CancellationToken.None);
        var read = await ReadAsync(feed);

        // A new signal for one household after the read: its mark is written again.
        await feed.MarkChangedAsync([new HouseholdChange(keys[5], "0363", At.AddSeconds(1))], CancellationToken.None);
        var removed = await feed.AcknowledgeManyAsync(read, CancellationToken.None);

        Assert.Equal(11, removed);
        Assert.Equal([keys[5]], (await ReadAsync(feed)).Select(c => c.HouseholdKey));
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
