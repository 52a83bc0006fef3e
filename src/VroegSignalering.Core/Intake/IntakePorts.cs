using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Intake;

/// <summary>A creditor (signaalpartner) as the registry knows it. Identity always comes from a credential.</summary>
public sealed record Creditor(string Id, string Name, IReadOnlySet<PartnerType> PartnerTypes);

/// <summary>Who may post signals. Keys are held only as hashes.</summary>
public interface ICreditorRegistry
{
    ValueTask<Creditor?> FindByApiKeyAsync(string apiKey, CancellationToken cancellationToken);

    ValueTask<Creditor?> FindByEntraAppIdAsync(string appId, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<Creditor>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>A signal accepted at intake, with its deterministic id and a hash of its normalised content.</summary>
public sealed record QueuedSignal(string SignalId, string ContentHash, IncomingSignal Signal);

/// <summary>A slice of a receipt's accepted signals, queued as one message for ProcessSignals.</summary>
public sealed record SignalChunk(
    string ReceiptId,
    int Chunk,
    string CreditorId,
    DateTimeOffset ReceivedAt,
    string? TraceParent,
    IReadOnlyList<QueuedSignal> Signals);

/// <summary>
/// The durable hand-off from intake to processing (the signals-intake queue). It writes the messages and
/// reads them back, so the message format lives behind this one port.
/// </summary>
public interface ISignalQueue
{
    /// <summary>Returns only when every chunk is durably stored.</summary>
    Task EnqueueAsync(IReadOnlyList<SignalChunk> chunks, CancellationToken cancellationToken);

    /// <summary>
    /// The chunk a queue message carries (the text the queue trigger delivers). Throws on a message this
    /// port did not write, or cannot decrypt: the message is retried and then poisoned, never dropped.
    /// </summary>
    SignalChunk Decode(string message);
}

/// <summary>What a reference reservation found.</summary>
public sealed record ReferenceClaim(string Reference, string SignalId, string ContentHash, string ReceiptId, bool New);

/// <summary>
/// The idempotency index: (creditor, signaalReferentie) → content hash and the receipt that brought it.
/// </summary>
public interface ISignalReferenceStore
{
    /// <summary>
    /// Claims each reference for <paramref name="receiptId"/> when it is new; otherwise returns the
    /// existing claim (its content hash and receipt). Inserts never overwrite.
    /// </summary>
    Task<IReadOnlyList<ReferenceClaim>> ClaimAsync(string creditorId, string receiptId, IReadOnlyList<QueuedSignal> signals, CancellationToken cancellationToken);

    /// <summary>Moves claims of a receipt that never completed to the receipt re-queuing them.</summary>
    Task TransferAsync(string creditorId, IReadOnlyList<ReferenceClaim> claims, string toReceiptId, CancellationToken cancellationToken);

    /// <summary>Removes the claims <paramref name="receiptId"/> made (an atomic request that was refused after claiming).</summary>
    Task ReleaseAsync(string creditorId, string receiptId, IReadOnlyList<string> references, CancellationToken cancellationToken);
}

/// <summary>Per-chunk processing progress of a receipt, written idempotently by ProcessSignals.</summary>
public sealed record ChunkProgress(int Chunk, int Signals, int Stored, int AlreadyStored, int Quarantined, DateTimeOffset CompletedAt);

/// <summary>The record of one intake request, written after its chunks are queued.</summary>
public sealed record IntakeReceipt(
    string ReceiptId,
    string CreditorId,
    DateTimeOffset ReceivedAt,
    string Mode,
    string Format,
    int Rows,
    int Chunks,
    IntakeResponse Response);

public interface IReceiptStore
{
    Task<IntakeReceipt?> GetAsync(string creditorId, string receiptId, CancellationToken cancellationToken);

    /// <summary>Idempotent: the same receipt id always carries the same content.</summary>
    Task SaveAsync(IntakeReceipt receipt, CancellationToken cancellationToken);

    Task RecordChunkAsync(string receiptId, ChunkProgress progress, CancellationToken cancellationToken);

    Task<IReadOnlyList<ChunkProgress>> GetChunksAsync(string receiptId, CancellationToken cancellationToken);
}
