using System.Globalization;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Routing;

namespace VroegSignalering.Core.Retention;

/// <summary>The kinds of record the retention purge deletes, each with its own term (docs/privacy.md).</summary>
public enum RetentionKind
{
    /// <summary>A signal whose address did not route (quarantine table), counted from the moment it was quarantined.</summary>
    QuarantinedSignal,

    /// <summary>A stored signal that never became part of a case, counted from its receipt.</summary>
    SignalWithoutCase,

    /// <summary>A contact attempt row (<c>p|</c>) of a closed case, counted from the closing.</summary>
    ContactAttempt,

    /// <summary>A closed case where no help followed, with its signals, tasks, outbox rows and outcome, counted from the closing.</summary>
    ClosedCaseWithoutHelp,

    /// <summary>A closed case where the household accepted help, counted from the closing.</summary>
    ClosedCaseWithHelp,

    /// <summary>The encrypted task message of a dispatched outbox row (the row itself stays), counted from the dispatch.</summary>
    OutboxMessage,

    /// <summary>A creditor feedback row (help accepted, and a promise of one), counted from its date.</summary>
    CreditorFeedback,

    /// <summary>A creditor reference claim (replay detection of intake), counted from the claim.</summary>
    ReferenceClaim,
}

/// <summary>
/// Retention terms in days (section <c>Retention</c>): <c>Retention:Default:&lt;Kind&gt;Days</c> and per gemeente
/// <c>Retention:Gemeenten:&lt;code&gt;:&lt;Kind&gt;Days</c>; a term left out takes the default, and a default left out
/// takes the built-in one (<see cref="RetentionTerms.BuiltIn"/>). Quarantined signals, feedback rows and reference
/// claims belong to no gemeente (an unrouted address; a creditor's partition), so only the default applies to them.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    public RetentionTerms Default { get; set; } = new();

    public Dictionary<string, RetentionTerms> Gemeenten { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The term of <paramref name="kind"/> in <paramref name="gemeentecode"/> (null: the default's).</summary>
    public int Days(RetentionKind kind, string? gemeentecode = null) =>
        (gemeentecode is not null && Gemeenten.TryGetValue(gemeentecode, out var own) ? own.Get(kind) : null)
        ?? Default.Get(kind)
        ?? RetentionTerms.BuiltIn(kind);

    /// <summary>Whether a record of <paramref name="kind"/> whose term started at <paramref name="since"/> is due at <paramref name="now"/>: on the exact moment the term ends, it is.</summary>
    public bool Due(RetentionKind kind, string? gemeentecode, DateTimeOffset since, DateTimeOffset now) =>
        now >= since.AddDays(Days(kind, gemeentecode));
}

/// <summary>One set of terms in days; null takes the next level's value.</summary>
public sealed class RetentionTerms
{
    public int? QuarantinedSignalDays { get; set; }

    public int? SignalWithoutCaseDays { get; set; }

    public int? ContactAttemptDays { get; set; }

    public int? ClosedCaseWithoutHelpDays { get; set; }

    public int? ClosedCaseWithHelpDays { get; set; }

    public int? OutboxMessageDays { get; set; }

    public int? CreditorFeedbackDays { get; set; }

    public int? ReferenceClaimDays { get; set; }

    /// <summary>
    /// The built-in defaults. DOMAIN.md: municipalities delete 6 months after closing when no help followed (183 days).
    /// When help was accepted, the help runs in the schuldhulpverlening system of record, not here: this copy stays a year.
    /// Quarantine and signals that never became a case: 90 days, long enough to fix an address file and re-drive
    /// (Quarantine:AlertAfterDays warns far earlier). The task message is needed only until the team has it: 30 days after dispatch.
    /// Creditor feedback: 90 days (the creditor pauses collection for 30 days and reads the feedback well within that).
    /// Reference claims: a year, so a creditor's replay of last year's file is still recognised.
    /// </summary>
    public static int BuiltIn(RetentionKind kind) => kind switch
    {
        RetentionKind.QuarantinedSignal => 90,
        RetentionKind.SignalWithoutCase => 90,
        RetentionKind.ContactAttempt => 183,
        RetentionKind.ClosedCaseWithoutHelp => 183,
        RetentionKind.ClosedCaseWithHelp => 365,
        RetentionKind.OutboxMessage => 30,
        RetentionKind.CreditorFeedback => 90,
        RetentionKind.ReferenceClaim => 365,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public int? Get(RetentionKind kind) => kind switch
    {
        RetentionKind.QuarantinedSignal => QuarantinedSignalDays,
        RetentionKind.SignalWithoutCase => SignalWithoutCaseDays,
        RetentionKind.ContactAttempt => ContactAttemptDays,
        RetentionKind.ClosedCaseWithoutHelp => ClosedCaseWithoutHelpDays,
        RetentionKind.ClosedCaseWithHelp => ClosedCaseWithHelpDays,
        RetentionKind.OutboxMessage => OutboxMessageDays,
        RetentionKind.CreditorFeedback => CreditorFeedbackDays,
        RetentionKind.ReferenceClaim => ReferenceClaimDays,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The setting's name, e.g. <c>ClosedCaseWithoutHelpDays</c>.</summary>
    public static string SettingName(RetentionKind kind) => kind + "Days";
}

/// <summary>
/// Refuses at start a term that is not a positive number of days, a gemeente key that is not a CBS code, and a
/// per-gemeente term for a kind that belongs to no gemeente; each message names the setting.
/// </summary>
public sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    private static readonly RetentionKind[] WithoutGemeente = [RetentionKind.QuarantinedSignal, RetentionKind.CreditorFeedback, RetentionKind.ReferenceClaim];

    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var failures = new List<string>();
        Check("Retention:Default", options.Default, failures, perGemeente: false);
        foreach (var (code, terms) in options.Gemeenten)
        {
            if (AreaCodeFormat.Gemeente(code) != code)
            {
                failures.Add($"Retention:Gemeenten:{code} is not a gemeentecode: use the four-digit CBS code, e.g. 0363");
                continue;
            }

            Check("Retention:Gemeenten:" + code, terms, failures, perGemeente: true);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string path, RetentionTerms terms, List<string> failures, bool perGemeente)
    {
        foreach (var kind in Enum.GetValues<RetentionKind>())
        {
            if (terms.Get(kind) is not { } days)
            {
                continue;
            }

            var setting = path + ":" + RetentionTerms.SettingName(kind);
            if (days <= 0)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{setting} is {days}: a retention term is a positive number of days (leave it out for the default, {RetentionTerms.BuiltIn(kind)})"));
            }
            else if (perGemeente && WithoutGemeente.Contains(kind))
            {
                failures.Add($"{setting}: {kind} records belong to no gemeente, so only Retention:Default:{RetentionTerms.SettingName(kind)} applies");
            }
        }
    }
}
