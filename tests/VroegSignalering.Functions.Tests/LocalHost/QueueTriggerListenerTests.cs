using System.Text;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.LocalHost;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.LocalHost;

/// <summary>
/// The local host polls a storage queue with the Functions queue trigger's semantics, against real
/// Azurite: base64 bodies, delete on success, retry after visibilityTimeout, poison after
/// maxDequeueCount, and the next batch only when the running ones fall to newBatchThreshold.
/// </summary>
public sealed class QueueTriggerListenerTests : IDisposable
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);
    private readonly string _queueName = Azurite.UniqueName("lq");
    private readonly ProbeLog _log = new();
    private readonly ServiceProvider _services;
    private readonly QueueClient _queue;
    private readonly QueueClient _poison;

    public QueueTriggerListenerTests()
    {
        _services = Probes.Services(_log);
        var clients = Azurite.Clients();
        _queue = clients.Queues.GetQueueClient(_queueName);
        _poison = clients.RawQueues.GetQueueClient(_queueName + "-poison");
        _queue.CreateIfNotExists();
    }

    [Fact]
    public async Task A_base64_message_reaches_the_function_as_its_text_and_is_deleted_after_success()
    {
        await _queue.SendMessageAsync("""{"receiptId":"r-42","chunk":3}""");

        var handled = await Listener(maxDequeueCount: 5).PollOnceAsync(CancellationToken.None);

        Assert.Equal(1, handled);
        Assert.Equal("""{"receiptId":"r-42","chunk":3}""", Assert.Single(_log.Messages));
        Assert.Empty((await _queue.PeekMessagesAsync()).Value);
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_retried_then_moved_to_the_poison_queue_as_it_came()
    {
        _log.Failing["poison me"] = true;
        await _queue.SendMessageAsync("poison me");
        var listener = Listener(maxDequeueCount: 2);

        Assert.Equal(1, await listener.PollOnceAsync(CancellationToken.None)); // attempt 1: visible again at once (visibilityTimeout 0)
        Assert.Single((await _queue.PeekMessagesAsync()).Value);
        Assert.Equal(1, await listener.PollOnceAsync(CancellationToken.None)); // attempt 2 of 2: to the poison queue
        Assert.Equal(0, await listener.PollOnceAsync(CancellationToken.None));

        Assert.Equal(["poison me", "poison me"], _log.Messages);
        var moved = Assert.Single((await _poison.ReceiveMessagesAsync(10)).Value);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("poison me")), moved.Body.ToString());
        Assert.Empty((await _queue.PeekMessagesAsync()).Value);
    }

    [Fact]
    public async Task A_failed_message_stays_invisible_for_the_visibility_timeout_before_its_retry()
    {
        _log.Failing["later"] = true;
        await _queue.SendMessageAsync("later");
        var listener = Listener(maxDequeueCount: 5, visibilityTimeout: TimeSpan.FromMinutes(5));

        await listener.PollOnceAsync(CancellationToken.None);

        Assert.Equal(0, await listener.PollOnceAsync(CancellationToken.None));
        Assert.Empty((await _queue.PeekMessagesAsync()).Value);
        Assert.Equal(1, (await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount); // still there, invisible
        Assert.Empty((await _poison.PeekMessagesAsync()).Value);
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_to_the_poison_queue_without_an_invocation()
    {
        var raw = Azurite.Clients().RawQueues.GetQueueClient(_queueName);
        await raw.SendMessageAsync("this is not base64!");

        await Listener(maxDequeueCount: 5).PollOnceAsync(CancellationToken.None);

        Assert.Empty(_log.Messages);
        Assert.Equal("this is not base64!", Assert.Single((await _poison.ReceiveMessagesAsync(10)).Value).Body.ToString());
    }

    [Fact]
    public async Task The_next_batch_is_fetched_only_when_the_running_invocations_fall_to_the_new_batch_threshold()
    {
        for (var i = 0; i < 12; i++)
        {
            await _queue.SendMessageAsync($"m{i}");
        }

        using var permits = new SemaphoreSlim(0);
        _log.Permits = permits;
        using var cts = new CancellationTokenSource();
        var run = Listener(maxDequeueCount: 5, batchSize: 4, newBatchThreshold: 2).RunAsync(cts.Token);

        // batchSize 4, newBatchThreshold 2: the first batch runs; with three still running nothing more is fetched,
        // with two the next batch of four is, and then six run while eight messages are out of the queue.
        await WaitUntilAsync(() => _log.Running == 4);
        permits.Release();
        await WaitUntilAsync(() => _log.Running == 3);
        permits.Release();
        await WaitUntilAsync(() => _log.Running == 6);
        Assert.Equal(6, _log.MaxRunning);
        Assert.Equal(4, (await _queue.PeekMessagesAsync(32)).Value.Length);

        permits.Release(12);
        await WaitUntilAsync(() => _log.Messages.Count == 12 && _log.Running == 0);
        await WaitUntilAsync(async () => (await _queue.PeekMessagesAsync()).Value.Length == 0);
        await cts.CancelAsync();
        await run.WaitAsync(Safety);

        Assert.Equal(6, _log.MaxRunning);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"m{i}").Order(), _log.Messages.Order());
    }

    public void Dispose()
    {
        _queue.DeleteIfExists();
        _poison.DeleteIfExists();
        _services.Dispose();
    }

    private QueueTriggerListener Listener(int maxDequeueCount, TimeSpan? visibilityTimeout = null, int batchSize = 16, int newBatchThreshold = 8)
    {
        var function = Probes.Bind<ProbeQueueFunction>("queueTrigger", "message", """{ "queueName": "%ProbeQueue%" }""");
        var settings = new QueueTriggerSettings(batchSize, newBatchThreshold, maxDequeueCount, visibilityTimeout ?? TimeSpan.Zero, TimeSpan.FromSeconds(2), "base64");
        var raw = Azurite.Clients().RawQueues;
        return new QueueTriggerListener(
            function, raw.GetQueueClient(_queueName), raw.GetQueueClient(_queueName + "-poison"), settings,
            _services.GetRequiredService<IServiceScopeFactory>(), new FakeTimeProvider(), new LocalHostOptions(), NullLogger.Instance);
    }

    private static async Task WaitUntilAsync(Func<bool> condition) => await WaitUntilAsync(() => Task.FromResult(condition()));

    // Waits for a condition the listener brings about on its own; bounded, so a broken listener fails instead of hanging.
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Safety;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Yield();
        }
    }
}
