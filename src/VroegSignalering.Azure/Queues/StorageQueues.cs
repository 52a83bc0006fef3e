using Azure.Storage.Queues;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Azure.Queues;

/// <summary>Queue clients (base64 messages, as the Functions queue trigger reads them), created on first use.</summary>
public sealed class QueueSet(StorageClients storage)
{
    private readonly CreatedOnFirstUse<QueueClient> _queues = new(async name =>
    {
        var client = storage.Queues.GetQueueClient(name);
        await client.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        return client;
    });

    public Task<QueueClient> GetAsync(string name, CancellationToken cancellationToken) => _queues.GetAsync(name, cancellationToken);
}

/// <summary>
/// The signals-intake queue: one message per chunk, sent before intake answers 202. ProcessSignals listens
/// on it (<see cref="TriggerQueue"/>) and reads each message back through <see cref="Decode"/>.
/// </summary>
public sealed class SignalQueue(QueueSet queues, StorageNames names, QueueMessageCodec codec) : ISignalQueue
{
    /// <summary>The queue trigger's queue name: the app setting the Functions host resolves.</summary>
    public const string TriggerQueue = "%" + StorageNames.SignalsIntakeQueueSetting + "%";

    public async Task EnqueueAsync(IReadOnlyList<SignalChunk> chunks, CancellationToken cancellationToken)
    {
        var queue = await queues.GetAsync(names.SignalsIntakeQueue, cancellationToken);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (chunk, ct) => await queue.SendMessageAsync(codec.EncodeChunk(chunk), ct));
    }

    public SignalChunk Decode(string message) => codec.DecodeChunk(message);
}

/// <summary>
/// The dispatch queue: the happy path from a triage commit to DispatchOutreach, in batches of pointers.
/// DispatchOutreach listens on it (<see cref="TriggerQueue"/>) and reads each message through <see cref="Decode"/>.
/// </summary>
public sealed class DispatchQueue(QueueSet queues, StorageNames names) : IDispatchQueue
{
    /// <summary>The queue trigger's queue name: the app setting the Functions host resolves.</summary>
    public const string TriggerQueue = "%" + StorageNames.DispatchQueueSetting + "%";

    public async Task EnqueueAsync(IReadOnlyList<OutboxPointer> pointers, CancellationToken cancellationToken)
    {
        var queue = await queues.GetAsync(names.DispatchQueue, cancellationToken);
        foreach (var batch in pointers.Chunk(IDispatchQueue.MaxPointersPerMessage))
        {
            await queue.SendMessageAsync(QueueMessageCodec.EncodePointers(batch), cancellationToken);
        }
    }

    public IReadOnlyList<OutboxPointer> Decode(string message) => QueueMessageCodec.DecodePointers(message);
}

/// <summary>The signals-intake queue's length (messages in flight included) and the age of its oldest message.</summary>
public sealed class IntakeBacklogProbe(QueueSet queues, StorageNames names, TimeProvider time) : IIntakeBacklog
{
    public async Task<IntakeBacklog> MeasureAsync(CancellationToken cancellationToken)
    {
        var queue = await queues.GetAsync(names.SignalsIntakeQueue, cancellationToken);
        var properties = await queue.GetPropertiesAsync(cancellationToken);
        if (properties.Value.ApproximateMessagesCount == 0)
        {
            return new IntakeBacklog(0, TimeSpan.Zero);
        }

        var oldest = (await queue.PeekMessageAsync(cancellationToken)).Value?.InsertedOn;
        return new IntakeBacklog(properties.Value.ApproximateMessagesCount, oldest is { } at ? time.GetUtcNow() - at : TimeSpan.Zero);
    }
}
