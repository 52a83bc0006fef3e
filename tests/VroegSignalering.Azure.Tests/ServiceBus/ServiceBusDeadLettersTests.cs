using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.ServiceBus;

namespace VroegSignalering.Azure.Tests.ServiceBus;

/// <summary>Dead letters of a gemeente's subscription through the REST API, against a fake broker that keeps a dead-letter queue.</summary>
public sealed class ServiceBusDeadLettersTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    [Fact]
    public async Task Redrive_sends_old_dead_letters_again_removes_them_and_holds_those_inside_the_duplicate_window()
    {
        await using var harness = await TransportHarness.StartAsync(time: _time);
        var queue = new FakeDeadLetterQueue(harness.Broker);
        queue.Add("t-old-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        queue.Add("t-recent-r1", Now.AddMinutes(-10), "TTLExpiredException");

        queue.Add("t-edge-r1", Now.AddMinutes(-62), "TTLExpiredException");
        queue.Add("t-elsewhere-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded", gemeentecode: "0599");

        var run = await harness.Get<ServiceBusDeadLetters>().RedriveAsync("0363", 100, CancellationToken.None);
        var outcomes = run.Outcomes;

        Assert.Null(run.StoppedBy);
        Assert.Equal(
            [("t-old-r1", RedriveResult.Sent), ("t-recent-r1", RedriveResult.Held), ("t-edge-r1", RedriveResult.Held), ("t-elsewhere-r1", RedriveResult.Held)],
            outcomes.Select(o => (o.MessageId, o.Result)).ToArray());
        Assert.Contains("2026-11-23 12:55:00", outcomes[1].Detail, StringComparison.Ordinal); // window 1 h + 5 min margin
        Assert.Contains("'0599', not 0363", outcomes[3].Detail, StringComparison.Ordinal);
        var resent = Assert.Single(harness.Broker.Requests, r => r is { Method: "POST", Path: "/outreach-tasks/messages" }).Messages().Single();
        Assert.Equal("t-old-r1", resent.GetProperty("BrokerProperties").GetProperty("MessageId").GetString());
        Assert.Equal("case-t-old-r1", resent.GetProperty("BrokerProperties").GetProperty("SessionId").GetString());
        Assert.Equal("0363", resent.GetProperty("UserProperties").GetProperty("gemeentecode").GetString());
        Assert.Equal(FakeDeadLetterQueue.BodyOf("t-old-r1"), resent.GetProperty("Body").GetString());
        Assert.Equal(["t-recent-r1", "t-edge-r1", "t-elsewhere-r1"], queue.Remaining());
        Assert.Equal(0, queue.Locked);
    }

    [Fact]
    public async Task A_dead_letter_the_topic_refuses_stays_in_the_dead_letter_queue()
    {
        await using var harness = await TransportHarness.StartAsync(time: _time);
        var queue = new FakeDeadLetterQueue(harness.Broker) { TopicStatus = 410 };
        queue.Add("t-old-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");

        var outcome = Assert.Single((await harness.Get<ServiceBusDeadLetters>().RedriveAsync("0363", 100, CancellationToken.None)).Outcomes);

        Assert.Equal(RedriveResult.Failed, outcome.Result);
        Assert.Contains("410", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(["t-old-r1"], queue.Remaining());
        Assert.Equal(0, queue.Locked);
        Assert.DoesNotContain(harness.Broker.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task List_reads_ids_times_and_reasons_from_the_dead_letter_queue_and_unlocks_every_message()
    {
        await using var harness = await TransportHarness.StartAsync(time: _time);
        var queue = new FakeDeadLetterQueue(harness.Broker);
        queue.Add("t-a-r1", Now.AddDays(-15), "TTLExpiredException");
        queue.Add("t-b-r2", Now.AddHours(-2), "MaxDeliveryCountExceeded", "the consumer abandoned it 10 times");

        var listing = await harness.Get<ServiceBusDeadLetters>().ListAsync("0363", 100, CancellationToken.None);
        var messages = listing.Messages;

        Assert.Equal(["t-a-r1", "t-b-r2"], messages.Select(m => m.MessageId).ToArray());
        Assert.Equal(Now.AddDays(-15), messages[0].EnqueuedAt);
        Assert.Equal("TTLExpiredException", messages[0].DeadLetterReason);
        Assert.Equal("the consumer abandoned it 10 times", messages[1].DeadLetterErrorDescription);
        Assert.Equal("Hoog", messages[1].ApplicationProperties["priority"]);
        Assert.Equal(TimeSpan.FromDays(14), messages[1].TimeToLive);
        Assert.Equal(["t-a-r1", "t-b-r2"], queue.Remaining());
        Assert.Equal(0, queue.Locked);
        var head = harness.Broker.Requests.First();
        Assert.Equal(("POST", "/outreach-tasks/subscriptions/gm0363/$DeadLetterQueue/messages/head"), (head.Method, head.Path));
        Assert.StartsWith("Bearer ", head.Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resent_task_whose_removal_fails_is_reported_and_the_run_goes_on()
    {
        await using var harness = await TransportHarness.StartAsync(time: _time);
        var queue = new FakeDeadLetterQueue(harness.Broker) { FailDeletes = 1 };
        queue.Add("t-a-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        queue.Add("t-b-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");

        var run = await harness.Get<ServiceBusDeadLetters>().RedriveAsync("0363", 100, CancellationToken.None);

        // t-a lost its lock while being removed, came round again, and was removed then; t-b went through at once.
        Assert.Equal([("t-a-r1", RedriveResult.Sent), ("t-b-r1", RedriveResult.Sent)], run.Outcomes.Select(o => (o.MessageId, o.Result)).ToArray());
        Assert.Contains("second try", run.Outcomes[0].Detail, StringComparison.Ordinal);
        Assert.Null(run.StoppedBy);
        Assert.Empty(queue.Remaining());
        Assert.Equal(2, harness.Broker.Requests.Count(r => r is { Method: "POST", Path: "/outreach-tasks/messages" }));
    }

    [Fact]
    public async Task A_broker_failure_stops_the_run_with_the_reason_and_keeps_what_was_done()
    {
        await using var harness = await TransportHarness.StartAsync(time: _time);
        var queue = new FakeDeadLetterQueue(harness.Broker) { FailHeadAfter = 1 };
        queue.Add("t-a-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        queue.Add("t-b-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");

        var run = await harness.Get<ServiceBusDeadLetters>().RedriveAsync("0363", 100, CancellationToken.None);

        Assert.Equal([("t-a-r1", RedriveResult.Sent)], run.Outcomes.Select(o => (o.MessageId, o.Result)).ToArray());
        Assert.Contains("410", run.StoppedBy, StringComparison.Ordinal);
        Assert.Equal(["t-b-r1"], queue.Remaining());
        Assert.Equal(0, queue.Locked);
    }

    [Fact]
    public async Task An_empty_dead_letter_queue_lists_nothing_and_redrives_nothing()
    {
        await using var harness = await TransportHarness.StartAsync(time: _time);
        _ = new FakeDeadLetterQueue(harness.Broker);
        var deadLetters = harness.Get<ServiceBusDeadLetters>();

        Assert.Empty((await deadLetters.ListAsync("0363", 100, CancellationToken.None)).Messages);
        Assert.Empty((await deadLetters.RedriveAsync("0363", 100, CancellationToken.None)).Outcomes);
        Assert.DoesNotContain(harness.Broker.Requests, r => r.Path == "/outreach-tasks/messages");
    }

    // A subscription's dead-letter queue as the REST API shows it: Peek-Lock on .../$DeadLetterQueue/messages/head
    // answers 201 with BrokerProperties, custom properties as quoted headers and a Location for the lock; 204 when
    // nothing is left unlocked. PUT on the location unlocks, DELETE removes. The topic's send answers TopicStatus.
    private sealed class FakeDeadLetterQueue
    {
        private readonly List<Entry> _entries = [];
        private readonly Lock _lock = new();
        private readonly Uri _base;

        public FakeDeadLetterQueue(FakeServiceBus broker)
        {
            _base = broker.BaseUri;
            broker.Responder = (request, _) => Task.FromResult(Answer(request));
        }

        public int TopicStatus { get; init; } = 201;

        // The first this many DELETEs answer 404: the lock was lost and the message is visible again.
        public int FailDeletes { get; init; }

        // After this many peek-locks, the subscription answers 410 (deleted meanwhile).
        public int FailHeadAfter { get; init; } = int.MaxValue;

        private int _heads;
        private int _deletesFailed;

        public int Locked
        {
            get
            {
                lock (_lock)
                {
                    return _entries.Count(e => e.LockToken is not null);
                }
            }
        }

        public static string BodyOf(string id) => "{\"taskId\":\"" + id + "\",\"contact\":{\"achternaam\":\"Testpersoon\"}}";

        public void Add(string id, DateTimeOffset enqueued, string reason, string? description = null, string gemeentecode = "0363")
        {
            lock (_lock)
            {
                _entries.Add(new Entry(id, _entries.Count + 1, enqueued, reason, description, gemeentecode));
            }
        }

        public string[] Remaining()
        {
            lock (_lock)
            {
                return _entries.Select(e => e.Id).ToArray();
            }
        }

        private ScriptedResponse Answer(RecordedRequest request)
        {
            lock (_lock)
            {
                if (request is { Method: "POST", Path: "/outreach-tasks/messages" })
                {
                    return new ScriptedResponse(TopicStatus);
                }

                if (request is { Method: "POST", Path: "/outreach-tasks/subscriptions/gm0363/$DeadLetterQueue/messages/head" })
                {
                    if (++_heads > FailHeadAfter)
                    {
                        return new ScriptedResponse(410);
                    }

                    var next = _entries.FirstOrDefault(e => e.LockToken is null);
                    if (next is null)
                    {
                        return new ScriptedResponse(204);
                    }

                    next.LockToken = Guid.NewGuid().ToString();
                    var broker = JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["MessageId"] = next.Id,
                        ["SequenceNumber"] = next.Sequence,
                        ["LockToken"] = next.LockToken,
                        ["DeliveryCount"] = 10,
                        ["EnqueuedTimeUtc"] = next.Enqueued.ToString("R", CultureInfo.InvariantCulture),
                        ["Label"] = "outreach-task.v1",
                        ["CorrelationId"] = "case-" + next.Id,
                        ["SessionId"] = "case-" + next.Id,
                        ["TimeToLive"] = TimeSpan.FromDays(14).TotalSeconds,
                    });
                    var headers = new Dictionary<string, string>
                    {
                        ["BrokerProperties"] = broker,
                        ["Location"] = new Uri(_base, $"/outreach-tasks/subscriptions/gm0363/$DeadLetterQueue/messages/{next.Sequence}/{next.LockToken}").AbsoluteUri,
                        ["Content-Type"] = "application/json",
                        ["gemeentecode"] = $"\"{next.Gemeentecode}\"",
                        ["priority"] = "\"Hoog\"",
                        ["DeadLetterReason"] = $"\"{next.Reason}\"",
                    };
                    if (next.Description is not null)
                    {
                        headers["DeadLetterErrorDescription"] = $"\"{next.Description}\"";
                    }

                    return new ScriptedResponse(201, headers, BodyOf(next.Id));
                }

                var parts = request.Path.Split('/');
                var entry = _entries.FirstOrDefault(e => parts.Length > 2 && parts[^2] == e.Sequence.ToString(CultureInfo.InvariantCulture) && parts[^1] == e.LockToken);
                if (entry is null)
                {
                    return new ScriptedResponse(404);
                }

                if (request.Method == "DELETE")
                {
                    if (_deletesFailed < FailDeletes)
                    {
                        _deletesFailed++;
                        entry.LockToken = null;
                        return new ScriptedResponse(404);
                    }

                    _entries.Remove(entry);
                }
                else if (request.Method == "PUT")
                {
                    entry.LockToken = null;
                }

                return new ScriptedResponse(200);
            }
        }

        private sealed record Entry(string Id, long Sequence, DateTimeOffset Enqueued, string Reason, string? Description, string Gemeentecode)
        {
            public string? LockToken { get; set; }
        }
    }
}
