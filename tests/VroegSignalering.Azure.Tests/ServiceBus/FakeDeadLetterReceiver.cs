using Azure.Messaging.ServiceBus;

namespace VroegSignalering.Azure.Tests.ServiceBus;

// A subscription's dead-letter queue behind a ServiceBusReceiver, without a broker. Receive (PeekLock)
// locks the first unlocked messages with a fresh lock token; complete removes a message whose lock the
// caller holds, abandon releases it; peek reads by sequence number and locks nothing. Messages are
// ServiceBusModelFactory messages shaped as the broker delivers dead letters: the reason and description
// as application properties next to the contract's.
internal sealed class FakeDeadLetterReceiver : ServiceBusReceiver
{
    private readonly List<Entry> _entries = [];
    private readonly List<string> _events = [];
    private readonly Lock _lock = new();
    private int _receives;
    private int _peeks;
    private int _completesFailed;

    public static string BodyOf(string id) => "{\"taskId\":\"" + id + "\",\"contact\":{\"achternaam\":\"Testpersoon\"}}";

    // The first this many completes fail with MessageLockLost, and the message is visible again at once.
    public int FailCompletes { get; set; }

    // After this many receives (or peeks), the broker answers MessagingEntityNotFound (the subscription was deleted).
    public int FailReceiveAfter { get; set; } = int.MaxValue;

    public int FailPeekAfter { get; set; } = int.MaxValue;

    // A lock taken at receive k lapses by receive k + this (the subscription's lock duration running out).
    public int? LockLapsesAfterReceives { get; set; }

    public bool Disposed { get; private set; }

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

    // "receive <id>", "complete <id>", "abandon <id>" and "peek", in the order they happened.
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public void Add(
        string id, DateTimeOffset? enqueued, string reason, string? description = null, string? gemeentecode = "0363",
        IReadOnlyDictionary<string, object>? extraProperties = null)
    {
        lock (_lock)
        {
            _entries.Add(new Entry(id, _entries.Count + 1, enqueued, reason, description, gemeentecode, extraProperties));
        }
    }

    public string[] Remaining()
    {
        lock (_lock)
        {
            return _entries.Select(e => e.Id).ToArray();
        }
    }

    public override Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // A re-drive that keeps receiving would hang the test run.
            if (_receives >= 1000)
            {
                throw new InvalidOperationException("runaway: more than 1,000 receives");
            }

            if (++_receives > FailReceiveAfter)
            {
                throw new ServiceBusException(false, "The messaging entity could not be found.", "outreach-gm0363/Subscriptions/tasks/$DeadLetterQueue", ServiceBusFailureReason.MessagingEntityNotFound, null);
            }

            if (LockLapsesAfterReceives is { } lapse)
            {
                foreach (var lapsed in _entries.Where(e => e.LockToken is not null && e.LockedAtReceive + lapse <= _receives))
                {
                    lapsed.LockToken = null;
                }
            }

            var received = new List<ServiceBusReceivedMessage>();
            foreach (var entry in _entries.Where(e => e.LockToken is null).Take(maxMessages))
            {
                entry.LockToken = Guid.NewGuid();
                entry.LockedAtReceive = _receives;
                entry.Deliveries++;
                received.Add(entry.ToMessage());
                _events.Add("receive " + entry.Id);
            }

            return Task.FromResult<IReadOnlyList<ServiceBusReceivedMessage>>(received);
        }
    }

    public override Task<IReadOnlyList<ServiceBusReceivedMessage>> PeekMessagesAsync(int maxMessages, long? fromSequenceNumber = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (++_peeks > FailPeekAfter)
            {
                throw new ServiceBusException(true, "The operation did not complete in time.", "outreach-gm0363/Subscriptions/tasks/$DeadLetterQueue", ServiceBusFailureReason.ServiceTimeout, null);
            }

            _events.Add("peek");
            var page = _entries.Where(e => e.Sequence >= (fromSequenceNumber ?? 0)).Take(maxMessages).Select(e => e.ToMessage(peeked: true)).ToList();
            return Task.FromResult<IReadOnlyList<ServiceBusReceivedMessage>>(page);
        }
    }

    public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var entry = Holding(message);
            if (_completesFailed < FailCompletes)
            {
                _completesFailed++;
                entry.LockToken = null;
                throw LockLost();
            }

            _entries.Remove(entry);
            _events.Add("complete " + entry.Id);
            return Task.CompletedTask;
        }
    }

    public override Task AbandonMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var entry = Holding(message);
            entry.LockToken = null;
            _events.Add("abandon " + entry.Id);
            return Task.CompletedTask;
        }
    }

    public override Task CloseAsync(CancellationToken cancellationToken = default) => DisposeAsync().AsTask();

    public override ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private static ServiceBusException LockLost() =>
        new(false, "The lock supplied is invalid.", "outreach-gm0363/Subscriptions/tasks/$DeadLetterQueue", ServiceBusFailureReason.MessageLockLost, null);

    // The entry whose current lock the message carries; a stale lock is lost, as on the broker.
    private Entry Holding(ServiceBusReceivedMessage message) =>
        _entries.FirstOrDefault(e => e.Sequence == message.SequenceNumber && e.LockToken?.ToString() == message.LockToken) ?? throw LockLost();

    private sealed record Entry(
        string Id, long Sequence, DateTimeOffset? Enqueued, string Reason, string? Description, string? Gemeentecode, IReadOnlyDictionary<string, object>? Extra)
    {
        public Guid? LockToken { get; set; }

        public int LockedAtReceive { get; set; }

        public int Deliveries { get; set; } = 10;

        public ServiceBusReceivedMessage ToMessage(bool peeked = false)
        {
            var properties = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["DeadLetterReason"] = Reason,
                ["wijk"] = "036305",
                ["team"] = "schuldhulp-noord",
                ["priority"] = "Hoog",
            };
            if (Gemeentecode is not null)
            {
                properties["gemeentecode"] = Gemeentecode;
            }

            if (Description is not null)
            {
                properties["DeadLetterErrorDescription"] = Description;
            }

            foreach (var (name, value) in Extra ?? new Dictionary<string, object>())
            {
                properties[name] = value;
            }

            return ServiceBusModelFactory.ServiceBusReceivedMessage(
                body: BinaryData.FromString(BodyOf(Id)),
                messageId: Id,
                sessionId: "case-" + Id,
                timeToLive: TimeSpan.FromDays(14),
                correlationId: "case-" + Id,
                subject: "outreach-task.v1",
                contentType: "application/json",
                properties: properties,
                lockTokenGuid: peeked ? Guid.Empty : LockToken ?? Guid.Empty,
                deliveryCount: Deliveries,
                sequenceNumber: Sequence,
                deadLetterSource: "outreach-gm0363/Subscriptions/tasks",
                enqueuedTime: Enqueued ?? default);
        }
    }
}
