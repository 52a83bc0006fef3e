using System.Runtime.CompilerServices;
using Azure.Messaging.ServiceBus;

namespace VroegSignalering.Azure.Tests.ServiceBus;

// A batch the transport tried to send, and what the fake broker answered (null: accepted).
internal sealed record SentBatch(IReadOnlyList<ServiceBusMessage> Messages, Exception? Failure)
{
    public bool Accepted => Failure is null;

    public string[] MessageIds() => Messages.Select(m => m.MessageId).ToArray();
}

// The topic's sender without a broker: batches come from ServiceBusModelFactory and take messages while
// their estimated size fits MaxBatchBytes, as the SDK's batches do with the link's size limit. Sends are
// recorded and answered from a script (an exception fails the send), then by the responder (accept
// unless told otherwise). Only batch sends are supported: the transport must not send one by one.
internal sealed class FakeServiceBusSender : ServiceBusSender
{
    private readonly ConditionalWeakTable<ServiceBusMessageBatch, List<ServiceBusMessage>> _contents = new();
    private readonly Queue<Exception?> _script = new();
    private readonly List<SentBatch> _sends = [];
    private readonly Lock _lock = new();
    private int _batchesCreated;

    public long MaxBatchBytes { get; set; } = 262_144;

    // Thrown by CreateMessageBatchAsync, as when the link cannot be opened.
    public Exception? CreateBatchFailure { get; set; }

    // Answers sends the script does not cover: throw to fail the send; may wait on the token.
    public Func<IReadOnlyList<ServiceBusMessage>, CancellationToken, Task> Responder { get; set; } = (_, _) => Task.CompletedTask;

    public int BatchesCreated => Volatile.Read(ref _batchesCreated);

    public IReadOnlyList<SentBatch> Sends
    {
        get
        {
            lock (_lock)
            {
                return [.. _sends];
            }
        }
    }

    public IReadOnlyList<ServiceBusMessage> Accepted => Sends.Where(s => s.Accepted).SelectMany(s => s.Messages).ToList();

    // A rough AMQP size: the body plus the ids and properties, plus a fixed envelope.
    public static long SizeOf(ServiceBusMessage message) =>
        message.Body.ToMemory().Length
        + (message.MessageId?.Length ?? 0) + (message.SessionId?.Length ?? 0) + (message.CorrelationId?.Length ?? 0) + (message.Subject?.Length ?? 0)
        + message.ApplicationProperties.Sum(p => p.Key.Length + (p.Value?.ToString()?.Length ?? 0))
        + 64;

    // Answers the next sends in order: null accepts, an exception fails that send.
    public void Enqueue(params Exception?[] answers)
    {
        lock (_lock)
        {
            foreach (var answer in answers)
            {
                _script.Enqueue(answer);
            }
        }
    }

    public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default) =>
        CreateMessageBatchAsync(new CreateMessageBatchOptions(), cancellationToken);

    public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CreateMessageBatchOptions options, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (CreateBatchFailure is { } failure)
        {
            throw failure;
        }

        // A transport that keeps creating batches without sending them would hang the test run.
        if (Interlocked.Increment(ref _batchesCreated) > 10_000)
        {
            throw new InvalidOperationException("runaway: more than 10,000 batches created");
        }

        var store = new List<ServiceBusMessage>();
        var limit = MaxBatchBytes;
        var batch = ServiceBusModelFactory.ServiceBusMessageBatch(
            0, store, new CreateMessageBatchOptions { MaxSizeInBytes = limit }, message => store.Sum(SizeOf) + SizeOf(message) <= limit);
        _contents.Add(batch, store);
        return ValueTask.FromResult(batch);
    }

    public override async Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
    {
        var messages = _contents.TryGetValue(messageBatch, out var store)
            ? store.ToList()
            : throw new InvalidOperationException("the batch was not created by this sender");
        Exception? scripted;
        bool fromScript;
        lock (_lock)
        {
            fromScript = _script.TryDequeue(out scripted);
        }

        Exception? failure = scripted;
        if (!fromScript)
        {
            try
            {
                await Responder(messages, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failure = ex;
            }
        }

        lock (_lock)
        {
            _sends.Add(new SentBatch(messages, failure));
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    public override Task SendMessagesAsync(IEnumerable<ServiceBusMessage> messages, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the transport sends ServiceBusMessageBatch only");

    public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the transport sends ServiceBusMessageBatch only");

    public override Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
