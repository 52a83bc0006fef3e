using VroegSignalering.Core.Common;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Households;

/// <summary>
/// A signal as stored in its household's partition: arrears facts and area codes in the clear, the
/// personal data only encrypted (<see cref="Personal"/>), grouped by keyed hashes. <see cref="HmacKeyId"/> is
/// the HMAC key its household and person keys were made with (null on rows stored before it was recorded).
/// </summary>
public sealed record StoredSignal(
    string SignalId,
    string CreditorId,
    string SignaalReferentie,
    PartnerType PartnerType,
    decimal Bedrag,
    DateOnly Ontstaansdatum,
    DateOnly Signaaldatum,
    bool Crisissignaal,
    bool WarmeOverdracht,
    DateOnly? Eindeleveringsdatum,
    AreaCodes Area,
    string PersonKey,
    int AgeYears,
    bool PhoneKnown,
    string ReceiptId,
    DateTimeOffset ReceivedAt,
    DateTimeOffset StoredAt,
    string? TraceParent,
    string ContentHash,
    ProtectedPayload Personal,
    string? HmacKeyId = null);

/// <summary>Lifecycle of a case (vroegsignaalzaak). Allowed moves are in <see cref="CaseLifecycle"/>.</summary>
public enum CaseStatus
{
    New,
    Triaged,
    TaskDispatched,

    /// <summary>Legacy: kept so rows written before the outcome API still read; nothing moves a case here now.</summary>
    InContact,
    Closed,

    /// <summary>The team tried to reach the household and has not reached it yet (an attempt with bereikt = false).</summary>
    ContactAttempted,

    /// <summary>An attempt reached the household (bereikt = true).</summary>
    Reached,

    /// <summary>The household accepted the help offered; creditors may hear this, and nothing else.</summary>
    HelpAccepted,

    /// <summary>The household declined the help offered.</summary>
    HelpDeclined,
}

/// <summary>
/// A household's case: it groups the household's signals from one or more persons and creditors. <see cref="DueDate"/>
/// is the due date of its latest task (<see cref="LastTaskId"/>), kept on the case so escalation finds overdue cases in
/// one scan; null on rows written before it was recorded (escalation then reads the task).
/// </summary>
public sealed record HouseholdCase(
    string CaseId,
    int Sequence,
    CaseStatus Status,
    AreaCodes Area,
    DateTimeOffset OpenedAt,
    DateOnly FirstSignaaldatum,
    DateOnly LastSignaaldatum,
    IReadOnlyList<string> SignalIds,
    int Revision,
    Priority? Priority,
    int? Score,
    string? LastTaskId,
    int RepeatsWithoutTask,
    int BelowMinimumAmount,
    string? Resultaat,
    DateTimeOffset? ClosedAt,
    DateTimeOffset UpdatedAt,
    DateOnly? DueDate = null);

/// <summary>One revision of outreach for a case: what a team should do, how fast, and why.</summary>
public sealed record OutreachTask(
    string TaskId,
    string CaseId,
    int Revision,
    AreaCodes Area,
    string Team,
    Priority Priority,
    int Score,
    IReadOnlyList<TriageReason> Reasons,
    ContactChannel Channel,
    DateOnly DueDate,
    string PolicyVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset EarliestSignalReceivedAt,
    IReadOnlyList<string> SignalIds);

public enum OutboxStatus
{
    Pending,
    Dispatched,
    Failed,
}

/// <summary>The message of a task waiting to be sent (encrypted: it holds contact details).</summary>
public sealed record OutboxEntry(
    string TaskId,
    string CaseId,
    string Gemeentecode,
    OutboxStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DispatchedAt,
    int Attempts,
    string? LastError,
    string? TraceParent,
    DateTimeOffset EarliestSignalReceivedAt,
    ProtectedPayload Message,
    DateTimeOffset? ClaimedAt = null)
{
    /// <summary>The row as claimed by a dispatcher at <paramref name="at"/>.</summary>
    public OutboxEntry ClaimedBy(DateTimeOffset at) => this with { ClaimedAt = at };

    /// <summary>A failed row back to pending, unclaimed and without its error, for a re-drive.</summary>
    public OutboxEntry ResetForRetry() => this with { Status = OutboxStatus.Pending, LastError = null, ClaimedAt = null };
}

/// <summary>The household's own row: the sequence for case ids and the partition's concurrency token.</summary>
public sealed record HouseholdHead(string HouseholdKey, int CaseSequence, string? LatestCaseId, DateTimeOffset UpdatedAt);

/// <summary>Something read from storage together with its concurrency token (ETag).</summary>
public sealed record Versioned<T>(T Value, string Version);

/// <summary>Everything in one household's partition, read at one moment.</summary>
public sealed record HouseholdSnapshot(
    string HouseholdKey,
    Versioned<HouseholdHead>? Head,
    IReadOnlyList<StoredSignal> Signals,
    IReadOnlyList<Versioned<HouseholdCase>> Cases,
    IReadOnlyList<OutreachTask> Tasks,
    IReadOnlyList<Versioned<OutboxEntry>> Outbox);

/// <summary>
/// The writes of one triage step, committed as a single entity-group transaction in the household
/// partition: head (If-Match), case (If-Match or insert), and when outreach is due the task and its outbox row.
/// </summary>
public sealed record TriageCommit(
    HouseholdHead Head,
    string? HeadVersion,
    HouseholdCase Case,
    string? CaseVersion,
    OutreachTask? Task,
    OutboxEntry? Outbox);

/// <summary>Reads and writes a household's partition.</summary>
public interface IHouseholdStore
{
    /// <summary>True when the household's partition holds anything (a signal, a case).</summary>
    Task<bool> ExistsAsync(string householdKey, CancellationToken cancellationToken);

    /// <summary>Inserts the signal unless it is already stored; returns false when it was.</summary>
    Task<bool> AddSignalAsync(string householdKey, StoredSignal signal, CancellationToken cancellationToken);

    Task<HouseholdSnapshot> LoadAsync(string householdKey, CancellationToken cancellationToken);

    /// <summary>One transaction; false (and nothing written) when another writer changed the household first.</summary>
    Task<bool> CommitAsync(string householdKey, TriageCommit commit, CancellationToken cancellationToken);

    Task<Versioned<OutboxEntry>?> GetOutboxAsync(string householdKey, string taskId, CancellationToken cancellationToken);

    Task<Versioned<HouseholdCase>?> GetCaseAsync(string householdKey, string caseId, CancellationToken cancellationToken);

    /// <summary>The outbox row and the case it belongs to, in one read (either may be missing).</summary>
    Task<(Versioned<OutboxEntry>? Outbox, Versioned<HouseholdCase>? Case)> GetOutboxWithCaseAsync(string householdKey, string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims a pending outbox row for one dispatcher (<see cref="OutboxEntry.ClaimedBy"/>), guarded by the
    /// version it was read at. Returns the claimed row with its new version, or null (nothing written) when
    /// another writer changed or removed the row first.
    /// </summary>
    Task<Versioned<OutboxEntry>?> ClaimOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, DateTimeOffset claimedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Records a send attempt's result on the claimed row and, when given, the case's move, in one
    /// transaction. False (nothing written) when the row or the case changed since they were read.
    /// </summary>
    Task<bool> RecordOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, OutboxEntry result, CaseMove? caseMove, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a failed row back to pending for an operator's re-drive (<see cref="OutboxEntry.ResetForRetry"/>).
    /// False (nothing written) when the row changed since it was read.
    /// </summary>
    Task<bool> ResetOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, CancellationToken cancellationToken);
}

/// <summary>A case's status change, written together with the outbox row that caused it.</summary>
public sealed record CaseMove(Versioned<HouseholdCase> Before, HouseholdCase After);

/// <summary>
/// A household marked for triage. <see cref="Version"/>, <see cref="Location"/> and <see cref="Mark"/> are the store's,
/// from reading the mark: one mark can list several households (a processed chunk's), <see cref="MarkSize"/> of them.
/// </summary>
public sealed record HouseholdChange(string HouseholdKey, string Gemeentecode, DateTimeOffset ChangedAt, string? Version = null, string? Location = null)
{
    /// <summary>The mark this household was read from (null: the household's own mark).</summary>
    public string? Mark { get; init; }

    /// <summary>How many households the mark listed when it was read.</summary>
    public int MarkSize { get; init; } = 1;
}

/// <summary>Marks households whose signals changed, for TriageCases to pick up (its watermark).</summary>

public interface IHouseholdChangeFeed
{
    /// <summary>
    /// Marks the households (a processed chunk's) as changed. Marking again, before or after a read, leaves a mark that a
    /// later read sees: a household is never left unmarked while it has signals triage has not seen since its mark.
    /// </summary>
    Task MarkChangedAsync(IReadOnlyList<HouseholdChange> changes, CancellationToken cancellationToken);

    /// <summary>Pending changes, one per household and mark, each with what it is acknowledged by.</summary>
    IAsyncEnumerable<HouseholdChange> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes what was read: a household marked again since then keeps that later mark (then it is triaged again).
    /// Acknowledging every household of a mark together removes the mark in one operation; the others of a mark stay
    /// listed. Returns how many of the given households were acknowledged.
    /// </summary>
    Task<int> AcknowledgeManyAsync(IReadOnlyList<HouseholdChange> changes, CancellationToken cancellationToken);
}

/// <summary>Points at an outbox row from outside its partition, so the sweeper can find rows not yet sent.</summary>
public sealed record OutboxPointer(string HouseholdKey, string TaskId, string Gemeentecode, DateTimeOffset CreatedAt);

public enum OutboxIndexState
{
    /// <summary>Not sent yet: the sweeper's backlog.</summary>
    Pending,

    /// <summary>Failed permanently: waits for an operator to fix the cause and re-drive (vroeg outbox retry).</summary>
    Failed,
}

public interface IOutboxIndex
{
    /// <summary>
    /// Idempotent. Pending pointers are written after the triage commit and before the household's change mark is
    /// acknowledged; a pointer whose row is missing (a row removed since) is cleaned up by the sweeper.
    /// </summary>
    Task AddAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken);

    /// <summary><see cref="AddAsync"/> for many pointers, in as few requests as the store allows.</summary>
    Task AddManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken);

    /// <summary>Idempotent: removing a pointer that is gone is not an error.</summary>
    Task RemoveAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken);

    /// <summary><see cref="RemoveAsync"/> for many pointers, in as few requests as the store allows.</summary>
    Task RemoveManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken);

    IAsyncEnumerable<OutboxPointer> ListAsync(OutboxIndexState state, DateTimeOffset createdBefore, CancellationToken cancellationToken);
}

/// <summary>
/// The happy path to the dispatcher (the dispatch queue). Pointers travel in batches, so one
/// DispatchOutreach invocation publishes many tasks at once and the queue carries few messages.
/// </summary>
public interface IDispatchQueue
{
    /// <summary>Most pointers in one dispatch message.</summary>
    const int MaxPointersPerMessage = 50;

    Task EnqueueAsync(IReadOnlyList<OutboxPointer> pointers, CancellationToken cancellationToken);

    /// <summary>The pointers a dispatch message carries. Throws on a message this port did not write.</summary>
    IReadOnlyList<OutboxPointer> Decode(string message);
}

/// <summary>A signal that could not be routed, kept (encrypted) with the reason for a person to resolve.</summary>
public sealed record QuarantinedSignal(
    string ReceiptId,
    string SignalId,
    string CreditorId,
    string ReasonCode,
    string Reason,
    DateTimeOffset QuarantinedAt,
    ProtectedPayload Signal);

public interface IQuarantineStore
{
    /// <summary>Idempotent by (receipt, signal).</summary>
    Task AddAsync(QuarantinedSignal signal, CancellationToken cancellationToken);

    Task<IReadOnlyList<QuarantinedSignal>> ListAsync(string? receiptId, CancellationToken cancellationToken);
}

/// <summary>What the signals-intake queue still holds: messages (in flight included) and the age of the oldest.</summary>
public sealed record IntakeBacklog(long Messages, TimeSpan OldestAge);

/// <summary>Measures the processing backlog TriageCases waits for.</summary>
public interface IIntakeBacklog
{
    Task<IntakeBacklog> MeasureAsync(CancellationToken cancellationToken);
}
