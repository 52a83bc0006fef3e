using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tests.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Transport;

/// <summary>The local task transport on real Azurite: duplicate detection without ever losing a send.</summary>
public sealed class StorageQueueTransportTests
{
    private readonly StorageNames _names = new()
    {
        TablePrefix = Azurite.UniqueName("sq"),
        SignalsIntakeQueue = "unused",
        DispatchQueue = "unused",
        OutreachQueuePrefix = Azurite.UniqueName("sqtasks") + "-",
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    // Not the default (1 h): the tests show the window comes from settings.
    private readonly StorageQueueTransportOptions _options = new() { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) };

    [Fact]
    public async Task A_send_the_queue_never_accepted_is_sent_by_the_next_attempt_and_only_once()
    {
        var message = Message("t-failed-once");
        var (clients, faults) = FaultInjection.Clients(FaultInjection.IsQueueSend);
        var transport = Transport(new QueueSet(clients));

        var failed = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));
        var retried = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));
        var replayed = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));

        Assert.Equal(1, faults.Injected);
        Assert.Equal(PublishStatus.FailedTransiently, failed.Status);
        Assert.Equal(PublishStatus.Sent, retried.Status);
        Assert.Equal(PublishStatus.Sent, replayed.Status);
        Assert.Equal(["t-failed-once"], await MessageIdsAsync("0363"));
    }

    [Fact]
    public async Task A_refused_claim_fails_the_message_for_good_and_sends_nothing()
    {
        var message = Message("t-refused");
        var (clients, faults) = FaultInjection.Clients(r => r.Method == global::Azure.Core.RequestMethod.Post && r.Uri.Path.Contains("sentmessages", StringComparison.Ordinal), status: 400);
        var transport = new StorageQueueTransport(new QueueSet(Azurite.Clients()), new TableSet(clients, _names), _names, _time, Options.Create(_options));

        var outcome = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));

        Assert.Equal(1, faults.Injected);
        Assert.Equal(PublishStatus.FailedPermanently, outcome.Status);
        Assert.StartsWith("400", outcome.Reason, StringComparison.Ordinal);
        Assert.False(await Azurite.Clients().Queues.GetQueueClient(_names.OutreachQueue("0363")).ExistsAsync(), "nothing may have been sent, so the gemeente queue (created on first send) must not exist");
    }

    [Fact]
    public async Task A_claim_left_by_a_crashed_sender_holds_off_others_until_its_lease_ends_then_the_message_is_sent()
    {
        var message = Message("t-crashed");
        var sent = await new TableSet(Azurite.Clients(), _names).GetAsync(_names.SentMessages, CancellationToken.None);
        await sent.AddEntityAsync(new TableEntity("0363", TableKeys.Escape("t-crashed")) { ["State"] = "Sending", ["At"] = _time.GetUtcNow() });
        var transport = Transport(new QueueSet(Azurite.Clients()));

        var during = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));
        _time.Advance(StorageQueueTransport.SendLease + TimeSpan.FromSeconds(1));
        var after = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));

        Assert.Equal(PublishStatus.FailedTransiently, during.Status);
        Assert.Equal(PublishStatus.Sent, after.Status);
        Assert.Equal(["t-crashed"], await MessageIdsAsync("0363"));
    }

    [Fact]
    public async Task Duplicates_are_dropped_within_the_detection_window_and_accepted_again_after_it()
    {
        var message = Message("t-dup");
        var transport = Transport(new QueueSet(Azurite.Clients()));

        await transport.PublishAsync([message, message with { }], CancellationToken.None);
        await transport.PublishAsync([message], CancellationToken.None);
        _time.Advance(_options.DuplicateDetectionWindow - TimeSpan.FromSeconds(1));
        var late = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));
        Assert.Equal(PublishStatus.Sent, late.Status);
        Assert.Equal(["t-dup"], await MessageIdsAsync("0363"));

        _time.Advance(TimeSpan.FromSeconds(2));
        var again = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));

        Assert.Equal(PublishStatus.Sent, again.Status);
        Assert.Equal(["t-dup", "t-dup"], await MessageIdsAsync("0363"));
    }

    [Fact]
    public async Task Concurrent_senders_of_one_id_put_it_on_the_queue_once()
    {
        var message = Message("t-race");
        var senders = Enumerable.Range(0, 6).Select(_ => Transport(new QueueSet(Azurite.Clients()))).ToList();

        var outcomes = (await Task.WhenAll(senders.Select(s => s.PublishAsync([message], CancellationToken.None)))).SelectMany(o => o).ToList();

        Assert.Equal(["t-race"], await MessageIdsAsync("0363"));
        Assert.Contains(outcomes, o => o.Status == PublishStatus.Sent);
        Assert.All(outcomes, o => Assert.NotEqual(PublishStatus.FailedPermanently, o.Status));
    }

    private StorageQueueTransport Transport(QueueSet queues) => new(queues, new TableSet(Azurite.Clients(), _names), _names, _time, Options.Create(_options));

    private static OutboundMessage Message(string id) => new()
    {
        MessageId = id,
        Subject = "outreach-task.v1",
        CorrelationId = "c-1",
        SessionId = "c-1",
        ApplicationProperties = new Dictionary<string, string>(StringComparer.Ordinal) { ["gemeentecode"] = "0363", ["priority"] = "Hoog" },
        Body = """{"taskId":"x"}""",
    };

    private async Task<List<string>> MessageIdsAsync(string gemeente)
    {
        var queue = Azurite.Clients().Queues.GetQueueClient(_names.OutreachQueue(gemeente));
        if (!await queue.ExistsAsync())
        {
            throw new InvalidOperationException($"Queue '{queue.Name}' does not exist: nothing was ever sent to gemeente {gemeente}.");
        }

        var peeked = (await queue.PeekMessagesAsync(32)).Value;
        return peeked.Select(m => LocalServiceBusMessage.Parse(m.Body.ToString(), m.MessageId).MessageId).ToList();
    }

    [Fact]
    public async Task A_send_that_takes_over_a_crashed_senders_claim_is_marked_as_a_possible_second_copy_and_a_fresh_send_is_not()
    {
        var sent = await new TableSet(Azurite.Clients(), _names).GetAsync(_names.SentMessages, CancellationToken.None);
        await sent.AddEntityAsync(new TableEntity("0363", TableKeys.Escape("t-lost-record")) { ["State"] = "Sending", ["At"] = _time.GetUtcNow() });
        var transport = Transport(new QueueSet(Azurite.Clients()));
        _time.Advance(StorageQueueTransport.SendLease + TimeSpan.FromSeconds(1));

        var outcomes = await transport.PublishAsync([Message("t-lost-record"), Message("t-fresh")], CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
        var queue = Azurite.Clients().Queues.GetQueueClient(_names.OutreachQueue("0363"));
        var marks = (await queue.PeekMessagesAsync(32)).Value
            .Select(m => LocalServiceBusMessage.Parse(m.Body.ToString(), m.MessageId))
            .ToDictionary(e => e.MessageId, e => e.ResentAfterLostRecord);
        Assert.Equal(new Dictionary<string, bool> { ["t-lost-record"] = true, ["t-fresh"] = false }, marks);
    }

    [Fact]
    public void The_window_is_the_service_bus_topics_unless_the_storage_queue_sets_its_own()
    {
        static StorageQueueTransportOptions Read(params (string Key, string Value)[] settings) =>
            StorageQueueTransportOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

        Assert.Equal(TimeSpan.FromHours(1), Read().DuplicateDetectionWindow);
        Assert.Equal(TimeSpan.FromMinutes(90), Read(("Dispatch:ServiceBus:DuplicateDetectionWindow", "01:30:00")).DuplicateDetectionWindow);
        Assert.Equal(TimeSpan.FromMinutes(5), Read(("Dispatch:ServiceBus:DuplicateDetectionWindow", "01:30:00"), ("Dispatch:StorageQueue:DuplicateDetectionWindow", "00:05:00")).DuplicateDetectionWindow);
        Assert.NotEmpty(Read(("Dispatch:StorageQueue:DuplicateDetectionWindow", "00:00:05")).Errors());
    }
}
