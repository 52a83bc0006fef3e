namespace VroegSignalering.Core.Triage;

/// <summary>
/// Triage configuration (section <c>Triage</c>): a default policy and per-gemeente overrides keyed by
/// the four-digit gemeentecode. Any property left out of an override takes the default's value.
/// </summary>
public sealed class TriageOptions
{
    public const string Section = "Triage";

    public GemeentePolicy Default { get; set; } = new();

    public Dictionary<string, GemeentePolicy> Gemeenten { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Crisis and imminent end-of-supply signals are triaged by ProcessSignals the moment they are stored.
    /// Off, they wait for TriageCases like the rest (used for reproducible demo runs).
    /// </summary>
    public bool FastPath { get; set; } = true;

    /// <summary>
    /// While the signals-intake queue still holds a backlog, TriageCases waits for it (at most this long
    /// after the oldest queued message), so signals a batch brings together are triaged together instead
    /// of one revision per arrival. Zero turns the wait off.
    /// </summary>
    public TimeSpan IntakeBacklogWait { get; set; } = TimeSpan.FromMinutes(10);

    public GemeentePolicy For(string gemeentecode) =>
        Gemeenten.TryGetValue(gemeentecode, out var own) ? own.Over(Default) : Default;
}

public sealed class GemeentePolicy
{
    /// <summary>Signals of a household within this many days of the case's last signal join that case.</summary>
    public int? WindowDays { get; set; }

    /// <summary>Non-urgent changes wait this long for more signals of the same batch before triage.</summary>
    public int? SettleSeconds { get; set; }

    /// <summary>Calendar days to the first contact attempt (rolled to the next working day).</summary>
    public int? DueDays { get; set; }

    /// <summary>Working days to the first contact attempt for Spoed (crisis, imminent cut-off).</summary>
    public int? SpoedDueWorkingDays { get; set; }

    /// <summary>An end-of-supply date within this many working days is imminent (Spoed).</summary>
    public int? EndOfSupplyLeadWorkingDays { get; set; }

    /// <summary>A repeat signal from the same creditor creates new outreach when its amount grew by at least this percentage.</summary>
    public decimal? RepeatGrowthPercent { get; set; }

    /// <summary>Signals under this amount are counted and reported but create no outreach. Off (null) by default.</summary>
    public decimal? MinimumAmount { get; set; }

    /// <summary>Points per reason code; codes left out use the policy's defaults.</summary>
    public Dictionary<string, int> Weights { get; set; } = new(StringComparer.Ordinal);

    public string? DefaultTeam { get; set; }

    /// <summary>Target-group routing by age: routes only, never changes score or priority.</summary>
    public AgeRoute? YouthRoute { get; set; }

    /// <summary>Team per wijkcode (six digits), e.g. neighbourhood teams.</summary>
    public Dictionary<string, string> TeamsByWijk { get; set; } = new(StringComparer.Ordinal);

    public int Window => WindowDays ?? 14;

    public int Settle => SettleSeconds ?? 120;

    public int Due => DueDays ?? 14;

    public int SpoedDue => SpoedDueWorkingDays ?? 3;

    public int EndOfSupplyLead => EndOfSupplyLeadWorkingDays ?? 20;

    public decimal Growth => RepeatGrowthPercent ?? 10m;

    public string Team => DefaultTeam ?? "schuldhulpverlening";

    /// <summary>This override with the gaps filled from <paramref name="defaults"/>.</summary>
    public GemeentePolicy Over(GemeentePolicy defaults)
    {
        var weights = new Dictionary<string, int>(defaults.Weights, StringComparer.Ordinal);
        foreach (var (k, v) in Weights)
        {
            weights[k] = v;
        }

        return new GemeentePolicy
        {
            WindowDays = WindowDays ?? defaults.WindowDays,
            SettleSeconds = SettleSeconds ?? defaults.SettleSeconds,
            DueDays = DueDays ?? defaults.DueDays,
            SpoedDueWorkingDays = SpoedDueWorkingDays ?? defaults.SpoedDueWorkingDays,
            EndOfSupplyLeadWorkingDays = EndOfSupplyLeadWorkingDays ?? defaults.EndOfSupplyLeadWorkingDays,
            RepeatGrowthPercent = RepeatGrowthPercent ?? defaults.RepeatGrowthPercent,
            MinimumAmount = MinimumAmount ?? defaults.MinimumAmount,
            Weights = weights,
            DefaultTeam = DefaultTeam ?? defaults.DefaultTeam,
            YouthRoute = YouthRoute ?? defaults.YouthRoute,
            TeamsByWijk = TeamsByWijk.Count > 0 ? TeamsByWijk : defaults.TeamsByWijk,
        };
    }
}

/// <summary>People aged <see cref="MinAge"/> to <see cref="MaxAge"/> (inclusive) are routed to <see cref="Team"/>.</summary>
public sealed class AgeRoute
{
    public int MinAge { get; set; } = 18;

    public int MaxAge { get; set; } = 27;

    public string Team { get; set; } = "jongerenteam";
}
