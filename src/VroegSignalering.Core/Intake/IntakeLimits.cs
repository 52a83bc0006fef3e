namespace VroegSignalering.Core.Intake;

/// <summary>Every limit intake enforces (section <c>Intake</c>). Each is explicit, configurable and tested.</summary>
public sealed class IntakeLimits
{
    public const string Section = "Intake";

    /// <summary>Largest request body accepted, in bytes (413 above it).</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most rows in one request (413 above it).</summary>
    public int MaxRowsPerRequest { get; set; } = 5_000;

    /// <summary>Upper bound of one signal's amount in euros.</summary>
    public decimal MaxAmount { get; set; } = 100_000m;

    /// <summary>A signaaldatum older than this many days is refused.</summary>
    public int MaxSignalAgeDays { get; set; } = 365;

    /// <summary>An ontstaansdatum older than this many years is refused.</summary>
    public int MaxArrearsAgeYears { get; set; } = 5;

    public int MinAgeYears { get; set; } = 16;

    public int MaxAgeYears { get; set; } = 120;

    /// <summary>Requests per minute per creditor before 429 (token bucket).</summary>
    public int RequestsPerMinute { get; set; } = 120;

    /// <summary>Burst allowance of the per-creditor rate limit.</summary>
    public int RequestBurst { get; set; } = 20;

    /// <summary>Upper bound of the plaintext size of one queued chunk, so the queue message stays well under 64 KB.</summary>
    public int MaxChunkPlaintextBytes { get; set; } = 24 * 1024;

    /// <summary>Most signals in one queued chunk.</summary>
    public int MaxRowsPerChunk { get; set; } = 50;
}
