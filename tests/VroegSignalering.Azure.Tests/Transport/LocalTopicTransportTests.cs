using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tests.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Transport;

/// <summary>The local emulated topic on real Azurite: duplicate detection as atomic as the broker's, without ever losing a send.</summary>
public sealed class LocalTopicTransportTests
{
    private readonly StorageNames _names = new()
    {
        TablePrefix = Azurite.UniqueName("lt"),
        SignalsIntakeQueue = "unused",
        DispatchQueue = "unused",
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    // Not the default (1 h): the tests show the window comes from settings.
    private readonly LocalTransportOptions _options = new() { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) };

    [Fact]
    public async Task A_send_that_landed_but_whose_reply_was_lost_is_resent_and_the_topic_holds_one_message()
    {
        var message = Message("t-reply-lost");

        // The reply to the request that writes the message is lost after the write landed; the retry comes later.
        var (clients, faults) = FaultInjection.Clients(r => FaultInjection.BodyContains(r, "\"RowKey\":\"m|"), afterLanding: true);
        var transport = Transport(clients);

        var lost = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(30));
        var resent = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));

        Assert.Equal(1, faults.Injected);
        Assert.Equal(PublishStatus.FailedTransiently, lost.Status);
        Assert.Equal(PublishStatus.Sent, resent.Status);
        Assert.Equal(["t-reply-lost"], await MessageIdsAsync("0363"));
    }

    [Fact]
    public async Task A_batch_that_landed_but_whose_reply_was_lost_is_sent_again_one_by_one_and_the_topic_holds_each_message_once()
    {
        var (clients, faults) = FaultInjection.Clients(FaultInjection.IsTransaction, afterLanding: true);
        var outcomes = await Transport(clients).PublishAsync([Message("t-b1"), Message("t-b2"), Message("t-b3")], CancellationToken.None);

        Assert.Equal(1, faults.Injected);
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
        Assert.Equal(["t-b1", "t-b2", "t-b3"], (await MessageIdsAsync("0363")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_batch_holding_an_id_sent_before_puts_the_others_on_the_topic_and_drops_the_duplicate()
    {
        var transport = Transport(Azurite.Clients());
        Assert.Equal(PublishStatus.Sent, Assert.Single(await transport.PublishAsync([Message("t-d1")], CancellationToken.None)).Status);
        _time.Advance(TimeSpan.FromSeconds(5));

        var outcomes = await transport.PublishAsync([Message("t-d2"), Message("t-d1"), Message("t-d3")], CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
        Assert.Equal(["t-d1", "t-d2", "t-d3"], (await MessageIdsAsync("0363")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_send_the_topic_never_accepted_is_sent_by_the_next_attempt_and_only_once()
    {
        var message = Message("t-failed-once");
        var (clients, faults) = FaultInjection.Clients(FaultInjection.IsTransaction);
        var transport = Transport(clients);

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
    public async Task A_failed_write_of_the_id_leaves_neither_the_message_nor_the_id_on_the_topic()
    {
        // Fails whichever request writes the duplicate-detection entity: in one transaction with the message, both go.
        var (clients, faults) = FaultInjection.Clients(r => FaultInjection.BodyContains(r, "\"RowKey\":\"id|"));
        var transport = Transport(clients);

        var outcome = Assert.Single(await transport.PublishAsync([Message("t-all-or-nothing")], CancellationToken.None));

        Assert.Equal(1, faults.Injected);
        Assert.Equal(PublishStatus.FailedTransiently, outcome.Status);
        var table = Azurite.Clients().Tables.GetTableClient(_names.OutreachTopic);
        var left = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(cancellationToken: CancellationToken.None))
        {
            left.Add(e.RowKey);
        }

        Assert.Empty(left);
    }

    [Fact]
    public async Task A_refused_send_fails_the_message_for_good_and_writes_nothing()
    {
        var (clients, faults) = FaultInjection.Clients(FaultInjection.IsTransaction, status: 400);
        var transport = Transport(clients);

        var outcome = Assert.Single(await transport.PublishAsync([Message("t-refused")], CancellationToken.None));

        Assert.Equal(1, faults.Injected);
        Assert.Equal(PublishStatus.FailedPermanently, outcome.Status);
        Assert.StartsWith("400", outcome.Reason, StringComparison.Ordinal);
        Assert.Empty(await MessageIdsAsync("0363"));
    }

    [Fact]
    public async Task Duplicates_are_dropped_within_the_detection_window_and_accepted_again_after_it()
    {
        var message = Message("t-dup");
        var transport = Transport(Azurite.Clients());

        await transport.PublishAsync([message, message with { }], CancellationToken.None);
        await transport.PublishAsync([message], CancellationToken.None);
        _time.Advance(_options.DuplicateDetectionWindow - TimeSpan.FromSeconds(1));
        var late = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));
        Assert.Equal(PublishStatus.Sent, late.Status);
        Assert.Equal(["t-dup"], await MessageIdsAsync("0363"));

        _time.Advance(TimeSpan.FromSeconds(2));
        var again = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));
        var dropped = Assert.Single(await transport.PublishAsync([message], CancellationToken.None));

        Assert.Equal(PublishStatus.Sent, again.Status);
        Assert.Equal(PublishStatus.Sent, dropped.Status);
        Assert.Equal(["t-dup", "t-dup"], await MessageIdsAsync("0363"));
    }

    [Fact]
    public async Task Concurrent_senders_of_one_id_put_it_on_the_topic_once()
    {
        var message = Message("t-race");
        var senders = Racers();

        var outcomes = (await Task.WhenAll(senders.Select(s => s.PublishAsync([message], CancellationToken.None)))).SelectMany(o => o).ToList();

        Assert.Equal(["t-race"], await MessageIdsAsync("0363"));
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
    }

    [Fact]
    public async Task Concurrent_senders_of_an_id_whose_window_ended_put_it_on_the_topic_once_more()
    {
        var message = Message("t-race-again");
        await Transport(Azurite.Clients()).PublishAsync([message], CancellationToken.None);
        _time.Advance(_options.DuplicateDetectionWindow + TimeSpan.FromSeconds(1));
        var senders = Racers();

        var outcomes = (await Task.WhenAll(senders.Select(s => s.PublishAsync([message], CancellationToken.None)))).SelectMany(o => o).ToList();

        Assert.Equal(["t-race-again", "t-race-again"], await MessageIdsAsync("0363"));
        Assert.All(outcomes, o => Assert.NotEqual(PublishStatus.FailedPermanently, o.Status));
    }

    [Fact]
    public async Task Looking_changes_nothing_consuming_takes_in_order_and_expired_messages_are_not_delivered()
    {
        var transport = Transport(Azurite.Clients());
        await transport.PublishAsync([Message("t-1")], CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await transport.PublishAsync([Message("t-2"), Message("t-short") with { TimeToLive = TimeSpan.FromMinutes(1) }], CancellationToken.None);
        var topic = Topic();

        Assert.Equal(["t-1", "t-2", "t-short"], (await topic.PeekAsync("0363", 10, CancellationToken.None)).Select(m => m.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal("t-1", (await topic.PeekAsync("0363", 1, CancellationToken.None)).Single().MessageId);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(2, await topic.CountAsync("0363", CancellationToken.None));
        Assert.Equal(["t-1"], (await topic.ReceiveAndDeleteAsync("0363", 1, CancellationToken.None)).Select(m => m.MessageId));
        Assert.Equal(["t-2"], (await topic.ReceiveAndDeleteAsync("0363", 10, CancellationToken.None)).Select(m => m.MessageId));
        Assert.Empty(await topic.GemeentenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_message_longer_than_a_table_property_arrives_whole_and_one_longer_than_the_topic_holds_is_refused_and_writes_nothing()
    {
        var transport = Transport(Azurite.Clients());
        // 200,000 characters: a message near Service Bus Standard's 256 KB, seven envelope parts.
        var large = Message("t-large") with { Body = "{\"notes\":\"" + new string('x', 200_000) + "\"}" };
        var tooLarge = Message("t-too-large") with { Body = new string('y', LocalTopic.MaxEnvelopeChars) };

        var outcomes = await transport.PublishAsync([large, tooLarge], CancellationToken.None);

        Assert.Equal(PublishStatus.Sent, outcomes[0].Status);
        Assert.Equal(PublishStatus.FailedPermanently, outcomes[1].Status);
        Assert.StartsWith("413 ", outcomes[1].Reason, StringComparison.Ordinal);
        var delivered = Assert.Single(await Topic().PeekAsync("0363", 10, CancellationToken.None));
        Assert.Equal("t-large", delivered.MessageId);
        Assert.Equal(large.Body, delivered.Body);
        Assert.Equal(["t-large"], (await Topic().ReadAllAsync(CancellationToken.None))["0363"].Select(m => m.MessageId));
    }

    [Fact]
    public async Task Reading_a_topic_nothing_was_ever_sent_to_is_an_error_not_empty()
    {
        Assert.False(await Topic().ExistsAsync(CancellationToken.None));
        var missing = await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => Topic().ReadAllAsync(CancellationToken.None));
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public void The_window_is_the_service_bus_topics_unless_the_local_topic_sets_its_own()
    {
        Assert.Equal(TimeSpan.FromHours(1), Read().DuplicateDetectionWindow);
        Assert.Equal(TimeSpan.FromMinutes(90), Read(("Dispatch:ServiceBus:DuplicateDetectionWindow", "01:30:00")).DuplicateDetectionWindow);
        Assert.Equal(TimeSpan.FromMinutes(5), Read(("Dispatch:ServiceBus:DuplicateDetectionWindow", "01:30:00"), ("Dispatch:Local:DuplicateDetectionWindow", "00:05:00")).DuplicateDetectionWindow);
        Assert.NotEmpty(Read(("Dispatch:Local:DuplicateDetectionWindow", "00:00:05")).Errors());
        Assert.Empty(Read(("Dispatch:Transport", "Local")).Errors());
    }

    [Fact]
    public void A_local_setting_under_its_old_section_fails_the_start_and_names_the_new_one()
    {
        using var services = Services(("Dispatch:StorageQueue:DuplicateDetectionWindow", "00:05:00"));

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LocalTransportOptions>>().Value);

        Assert.Contains("Dispatch:StorageQueue:DuplicateDetectionWindow was renamed: use Dispatch:Local:DuplicateDetectionWindow", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_old_transport_value_fails_the_start_and_names_the_new_one()
    {
        using var services = Services(("Dispatch:Transport", "StorageQueue"));

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<OutreachOptions>>().Value);

        Assert.Contains("use Dispatch:Transport=Local", refused.Message, StringComparison.Ordinal);
    }

    // The registration the app starts with (Core's and the adapters'), with only the given settings.
    private static ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System);
        VroegSignalering.Core.CoreServiceCollectionExtensions.AddVroegCore(services, configuration);
        return services.AddVroegAzure(configuration).BuildServiceProvider();
    }

    private static LocalTransportOptions Read(params (string Key, string Value)[] settings) =>
        LocalTransportOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    private LocalTopicTransport Transport(StorageClients clients) => new(new TableSet(clients, _names), _names, _time, Options.Create(_options));

    // Six senders as separate processes would be: their own clients, and clocks a few milliseconds apart, so
    // their messages' RowKeys differ and only the id entity can keep a second copy out.
    private List<LocalTopicTransport> Racers() =>
        [.. Enumerable.Range(0, 6).Select(i => new LocalTopicTransport(
            new TableSet(Azurite.Clients(), _names), _names, new FakeTimeProvider(_time.GetUtcNow().AddMilliseconds(i)), Options.Create(_options)))];

    private LocalTopic Topic() => new(Azurite.Clients(), _names, _time);

    private static OutboundMessage Message(string id) => new()
    {
        MessageId = id,
        Subject = "outreach-task.v1",
        CorrelationId = "c-1",
        SessionId = "c-1",
        ApplicationProperties = new Dictionary<string, string>(StringComparer.Ordinal) { ["gemeentecode"] = "0363", ["priority"] = "Hoog" },
        Body = """{"taskId":"x"}""",
    };

    // Strict: a topic that was never written to throws (404) rather than reading as empty.
    private async Task<List<string>> MessageIdsAsync(string gemeente) =>
        [.. (await Topic().PeekAsync(gemeente, 100, CancellationToken.None)).Select(m => m.MessageId)];
}
