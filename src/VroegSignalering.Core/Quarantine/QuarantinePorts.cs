using VroegSignalering.Core.Households;

namespace VroegSignalering.Core.Quarantine;

/// <summary>Section <c>Quarantine</c>.</summary>
public sealed class QuarantineOptions
{
    public const string Section = "Quarantine";

    /// <summary>
    /// A signal quarantined longer than this counts as overdue (metric <c>vroeg.quarantine.overdue</c>, alert
    /// quarantine-overdue). Three days by default: DOMAIN.md asks contact within 3 working days in threatening situations,
    /// and a household behind a quarantined signal is not contacted at all.
    /// </summary>
    public int AlertAfterDays { get; set; } = 3;

    public TimeSpan AlertAfter => TimeSpan.FromDays(AlertAfterDays);
}

/// <summary>A gemeente an operator assigned to a quarantined signal by hand.</summary>
public sealed record QuarantineAssignment(string Gemeentecode, string ReasonCode, string OperatorId, DateTimeOffset AssignedAt);

/// <summary>A quarantined signal as the redrive reads it: the row, its assignment (if any) and its concurrency token.</summary>
public sealed record QuarantineEntry(QuarantinedSignal Signal, QuarantineAssignment? Assignment, string Version);

/// <summary>Where a redrive page starts: after this (receipt, signal), in storage order.</summary>
public sealed record QuarantineCursor(string ReceiptId, string SignalId)
{
    public override string ToString() => ReceiptId + "|" + SignalId;

    public static QuarantineCursor? Parse(string? text)
    {
        var at = text?.IndexOf('|', StringComparison.Ordinal) ?? -1;
        return at > 0 && at < text!.Length - 1 ? new QuarantineCursor(text[..at], text[(at + 1)..]) : null;
    }
}

/// <summary>Reads and resolves quarantined signals (the store of <see cref="IQuarantineStore"/>, with assignments).</summary>
public interface IQuarantineResolutions
{
    /// <summary>Up to <paramref name="limit"/> entries after <paramref name="after"/> (from the start when null), in (receipt, signal) order.</summary>
    Task<IReadOnlyList<QuarantineEntry>> PageAsync(QuarantineCursor? after, int limit, CancellationToken cancellationToken);

    /// <summary>The entry of this signal, or null when no quarantined signal has that id.</summary>
    Task<QuarantineEntry?> FindAsync(string signalId, CancellationToken cancellationToken);

    /// <summary>Records the assignment unless the row changed since it was read; false (nothing written) when it did.</summary>
    Task<bool> AssignAsync(QuarantineEntry entry, QuarantineAssignment assignment, CancellationToken cancellationToken);

    /// <summary>Removes a signal that now lives in its household. Idempotent: a row already gone is not an error.</summary>
    Task RemoveAsync(QuarantineEntry entry, CancellationToken cancellationToken);
}

/// <summary>
/// One row of the assignment audit trail. It holds no personal data by construction: who (an operator id), when,
/// which signal (its id, made from creditor and creditor reference), which gemeente, and a reason code from a fixed list.
/// </summary>
public sealed record QuarantineAuditRecord(string SignalId, string Gemeentecode, string ReasonCode, string OperatorId, DateTimeOffset At);

public interface IQuarantineAudit
{
    /// <summary>Idempotent by signal: a signal is assigned once, so writing its record twice writes it once.</summary>
    Task RecordAsync(QuarantineAuditRecord record, CancellationToken cancellationToken);

    Task<IReadOnlyList<QuarantineAuditRecord>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>The gemeenten this deployment knows (the address file's, and those with their own triage settings).</summary>
public interface IGemeenteDirectory
{
    bool IsKnown(string gemeentecode);
}
