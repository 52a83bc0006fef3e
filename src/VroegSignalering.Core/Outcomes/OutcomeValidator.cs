using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Outcomes;

/// <summary>Stable codes of the outcome API's errors, beside intake's <see cref="ErrorCodes"/>.</summary>
public static class OutcomeErrorCodes
{
    public const string Malformed = "request.malformed";
    public const string NotAnObject = "request.not_object";
    public const string Duplicate = "field.duplicate";
    public const string IdInvalid = "id.invalid";
    public const string SoortUnknown = "soort.unknown";
    public const string DagdeelUnknown = "dagdeel.unknown";
    public const string DatumInvalid = "datum.invalid";
    public const string DatumInFuture = "datum.in_future";
    public const string DatumBeforeTask = "datum.before_task";
    public const string ResultaatUnknown = "resultaat.unknown";

    // 409s: the request is well formed but the case is not where it may go.
    public const string AttemptConflict = "contactpoging.conflict";
    public const string TransitionRefused = "case.transition_refused";
    public const string CaseClosed = "case.closed";
    public const string HelpConflict = "hulpaanbod.conflict";

    // 409s: the resultaat disagrees with the case's recorded progress (ResultaatRules).
    public const string ResultaatNeedsHelpAccepted = "resultaat.needs_help_accepted";
    public const string ResultaatNeedsReach = "resultaat.needs_reach";
    public const string ResultaatContradictsAcceptance = "resultaat.contradicts_acceptance";
    public const string ResultaatContradictsReach = "resultaat.contradicts_reach";
    public const string ResultaatContradictsAttempt = "resultaat.contradicts_attempt";
}

/// <summary>
/// Validates the outcome API's bodies as precisely as intake validates signals: every problem, with its field
/// path and a stable code (row 0: the request itself), and nothing guessed (enumerations are matched exactly,
/// as DDAS spells them).
/// </summary>
public static partial class OutcomeValidator
{
    public const int MaxIdLength = 64;

    private static readonly string[] AttemptFields = ["id", "soort", "bereikt", "datum", "dagdeel"];
    private static readonly string[] HelpFields = ["aanvaard", "datum"];
    private static readonly string[] ClosingFields = ["resultaat"];

    public static (ContactAttemptInput? Input, IReadOnlyList<RowError> Errors) Attempt(ReadOnlyMemory<byte> body, DateOnly today)
    {
        var errors = new List<RowError>();
        var fields = Read(body, AttemptFields, errors);
        if (fields is null)
        {
            return (null, errors);
        }

        var id = String(fields, "id", errors);
        if (id is not null)
        {
            if (id.Length > MaxIdLength)
            {
                Fail(errors, "id", ErrorCodes.TooLong, $"id is longer than {MaxIdLength} characters");
                id = null;
            }
            else if (!IdPattern().IsMatch(id))
            {
                Fail(errors, "id", OutcomeErrorCodes.IdInvalid, "id may contain only letters, digits and . _ - :");
                id = null;
            }
        }

        var soort = OneOf(fields, "soort", OutcomeValues.Contactsoorten, OutcomeErrorCodes.SoortUnknown, errors);
        var bereikt = Boolean(fields, "bereikt", errors);
        var datum = Date(fields, "datum", today, errors);
        var dagdeel = OneOf(fields, "dagdeel", OutcomeValues.Dagdelen, OutcomeErrorCodes.DagdeelUnknown, errors);
        return errors.Count == 0 ? (new ContactAttemptInput(id!, soort!, bereikt!.Value, datum!.Value, dagdeel!), errors) : (null, errors);
    }

    public static (HelpDecisionInput? Input, IReadOnlyList<RowError> Errors) Help(ReadOnlyMemory<byte> body, DateOnly today)
    {
        var errors = new List<RowError>();
        var fields = Read(body, HelpFields, errors);
        if (fields is null)
        {
            return (null, errors);
        }

        var aanvaard = Boolean(fields, "aanvaard", errors);
        var datum = Date(fields, "datum", today, errors);
        return errors.Count == 0 ? (new HelpDecisionInput(aanvaard!.Value, datum!.Value), errors) : (null, errors);
    }

    public static (CaseClosingInput? Input, IReadOnlyList<RowError> Errors) Closing(ReadOnlyMemory<byte> body)
    {
        var errors = new List<RowError>();
        var fields = Read(body, ClosingFields, errors);
        if (fields is null)
        {
            return (null, errors);
        }

        var resultaat = OneOf(fields, "resultaat", DdasResultaten, OutcomeErrorCodes.ResultaatUnknown, errors);
        return errors.Count == 0 ? (new CaseClosingInput(resultaat!), errors) : (null, errors);
    }

    /// <summary>An attempt's day may not precede its task: the team cannot have tried before it had the task.</summary>
    public static RowError? BeforeTask(DateOnly datum, TaskRef task)
    {
        var created = Common.DutchCalendar.LocalDate(task.CreatedAt);
        return datum < created
            ? new RowError(0, null, "datum", OutcomeErrorCodes.DatumBeforeTask, $"datum is before the task was made ({created:yyyy-MM-dd})")
            : null;
    }

    private static IReadOnlyList<string> DdasResultaten => Reporting.DdasValues.Eindresultaat;

    // The body's properties, each once; null when the body is no JSON object (the error is added).
    private static Dictionary<string, JsonElement>? Read(ReadOnlyMemory<byte> body, string[] known, List<RowError> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            Fail(errors, string.Empty, OutcomeErrorCodes.Malformed, "the body is not valid JSON");
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                Fail(errors, string.Empty, OutcomeErrorCodes.NotAnObject, "the body must be one JSON object");
                return null;
            }

            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in document.RootElement.EnumerateObject())
            {
                if (!known.Contains(p.Name, StringComparer.Ordinal))
                {
                    Fail(errors, p.Name, ErrorCodes.Unknown, $"'{p.Name}' is not a field of this request: {string.Join(", ", known)}");
                }
                else if (!fields.TryAdd(p.Name, p.Value.Clone()))
                {
                    Fail(errors, p.Name, OutcomeErrorCodes.Duplicate, $"{p.Name} appears more than once");
                }
            }

            return fields;
        }
    }

    private static string? String(Dictionary<string, JsonElement> fields, string name, List<RowError> errors)
    {
        if (!fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            Fail(errors, name, ErrorCodes.Required, $"{name} is required");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Fail(errors, name, ErrorCodes.Type, $"{name} must be a string");
            return null;
        }

        var text = value.GetString()!;
        if (text.Length == 0)
        {
            Fail(errors, name, ErrorCodes.Required, $"{name} is required");
            return null;
        }

        return text;
    }

    private static string? OneOf(Dictionary<string, JsonElement> fields, string name, IReadOnlyList<string> allowed, string code, List<RowError> errors)
    {
        var text = String(fields, name, errors);
        if (text is null)
        {
            return null;
        }

        if (!allowed.Contains(text, StringComparer.Ordinal))
        {
            Fail(errors, name, code, $"{name} must be one of (as DDAS spells them): {string.Join(", ", allowed)}");
            return null;
        }

        return text;
    }

    private static bool? Boolean(Dictionary<string, JsonElement> fields, string name, List<RowError> errors)
    {
        if (!fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            Fail(errors, name, ErrorCodes.Required, $"{name} is required");
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Fail(errors, name, ErrorCodes.Type, $"{name} must be true or false");
            return null;
        }

        return value.GetBoolean();
    }

    private static DateOnly? Date(Dictionary<string, JsonElement> fields, string name, DateOnly today, List<RowError> errors)
    {
        var text = String(fields, name, errors);
        if (text is null)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            Fail(errors, name, OutcomeErrorCodes.DatumInvalid, $"{name} must be a date as yyyy-mm-dd");
            return null;
        }

        if (date > today)
        {
            Fail(errors, name, OutcomeErrorCodes.DatumInFuture, $"{name} is after today ({today:yyyy-MM-dd})");
            return null;
        }

        return date;
    }

    private static void Fail(List<RowError> errors, string field, string code, string message) => errors.Add(new RowError(0, null, field, code, message));

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex IdPattern();
}
