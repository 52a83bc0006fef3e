using VroegSignalering.Azure.Queues;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Storage;

/// <summary>A storage hiccup while a queue or table is first created must not break it for the life of the process.</summary>
public sealed class CreatedOnFirstUseTests
{
    [Fact]
    public async Task A_queue_whose_creation_failed_once_is_created_on_the_next_use()
    {
        var (clients, faults) = FaultInjection.Clients(FaultInjection.IsCreate);
        var queues = new QueueSet(clients);
        var name = Azurite.UniqueName("cfu");

        await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => queues.GetAsync(name, CancellationToken.None));
        var queue = await queues.GetAsync(name, CancellationToken.None);

        Assert.Equal(1, faults.Injected);
        Assert.True(await queue.ExistsAsync());
    }

    [Fact]
    public async Task A_table_whose_creation_failed_once_is_created_on_the_next_use()
    {
        var (clients, faults) = FaultInjection.Clients(FaultInjection.IsCreate);
        var names = new StorageNames { TablePrefix = Azurite.UniqueName("cfu"), SignalsIntakeQueue = "x", DispatchQueue = "y" };
        var tables = new TableSet(clients, names);

        await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => tables.GetAsync(names.OutreachTopic, CancellationToken.None));
        var table = await tables.GetAsync(names.OutreachTopic, CancellationToken.None);
        await table.AddEntityAsync(new global::Azure.Data.Tables.TableEntity("p", "r"));

        Assert.Equal(1, faults.Injected);
    }

    [Fact]
    public async Task Concurrent_first_uses_share_one_creation()
    {
        var created = 0;
        var items = new CreatedOnFirstUse<string>(async name =>
        {
            Interlocked.Increment(ref created);
            await Task.Delay(20);
            return name.ToUpperInvariant();
        });

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => items.GetAsync("a", CancellationToken.None)));

        Assert.All(results, r => Assert.Equal("A", r));
        Assert.Equal(1, created);
    }
}
