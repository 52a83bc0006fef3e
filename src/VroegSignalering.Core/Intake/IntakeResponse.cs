namespace VroegSignalering.Core.Intake;

/// <summary>
/// The public answer to a submission: <c>{ receiptId, accepted, rejected, duplicates, errors }</c>.
/// <c>duplicates</c> counts rows already received earlier with identical content (not stored again).
/// </summary>
public sealed record IntakeResponse(string? ReceiptId, int Accepted, int Rejected, int Duplicates, IReadOnlyList<RowError> Errors);

public enum IntakeOutcome
{
    /// <summary>202: at least one row accepted (or every row already received).</summary>
    Accepted,

    /// <summary>400: every row invalid, or atomic mode with any invalid row.</summary>
    Rejected,

    /// <summary>409: the only row reuses a reference with different content.</summary>
    Conflict,

    /// <summary>400: the body could not be read as the declared format.</summary>
    Unreadable,

    /// <summary>413: more rows than one request may carry.</summary>
    TooManyRows,
}

public sealed record IntakeResult(IntakeOutcome Outcome, IntakeResponse Response);

public enum IntakeMode
{
    /// <summary>Accept valid rows, report the rest.</summary>
    Partial,

    /// <summary>Any invalid row rejects the whole request.</summary>
    Atomic,
}
