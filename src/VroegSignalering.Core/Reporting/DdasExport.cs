using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Routing;

namespace VroegSignalering.Core.Reporting;

/// <summary>What to export: one gemeente, one period (both dates inclusive), and who delivers it.</summary>
public sealed record DdasExportRequest(
    string Gemeentecode,
    DateOnly StartdatumLevering,
    DateOnly EinddatumLevering,
    DateTimeOffset AanleverdatumEnTijd,
    string CodeGegevensleverancier,
    DdasOrganisatie AanleverendeOrganisatie);

/// <summary>
/// What storage holds: cases, their signals, tasks and outbox rows. It may hold more than one gemeente and
/// period; the export selects. Tasks and outbox rows are needed to tell picked-up signals from others.
/// </summary>
public sealed record DdasExportSource(
    IReadOnlyList<HouseholdCase> Cases,
    IReadOnlyList<StoredSignal> Signals,
    IReadOnlyList<OutreachTask> Tasks,
    IReadOnlyList<OutboxEntry> Outbox)
{
    /// <summary>The teams' contact attempts (rows <c>p|</c>), of any case; the export takes each case's own.</summary>
    public IReadOnlyList<ContactAttempt> Attempts { get; init; } = [];
}

/// <summary>The export, and what could not be mapped cleanly (ids and codes only, never personal data).</summary>
public sealed record DdasExportResult(DdasUitwisselmodel Uitwisselmodel, IReadOnlyList<DdasExportIssue> Issues)
{
    /// <summary>The DDAS JSON (Uitwisselmodel v0.9) as delivered to CBS: UTF-8 text, names with diacritics unescaped.</summary>
    public string ToJson() => JsonSerializer.Serialize(Uitwisselmodel, DdasJson.File.DdasUitwisselmodel);
}

/// <summary>A case or signal the export left out or reported incompletely, with a stable code.</summary>
public sealed record DdasExportIssue(string Id, string Code, string Message);

/// <summary>DDAS <c>Uitwisselmodel</c> (VNG Data delen Armoede en Schulden, v0.9): one file for CBS.</summary>
public sealed record DdasUitwisselmodel(
    [property: JsonPropertyName("startdatumLevering")] DateOnly StartdatumLevering,
    [property: JsonPropertyName("einddatumLevering")] DateOnly EinddatumLevering,
    [property: JsonPropertyName("aanleverdatumEnTijd"), JsonConverter(typeof(DdasDateTimeConverter))] DateTimeOffset AanleverdatumEnTijd,
    [property: JsonPropertyName("codeGegevensleverancier")] string CodeGegevensleverancier,
    [property: JsonPropertyName("leveringen")] IReadOnlyList<DdasLevering> Leveringen);

/// <summary>One gemeente's signals and cases over the period.</summary>
public sealed record DdasLevering(
    [property: JsonPropertyName("teller")] int Teller,
    [property: JsonPropertyName("gemeentecode")] string Gemeentecode,
    [property: JsonPropertyName("aanleverende_organisatie")] DdasOrganisatie AanleverendeOrganisatie,
    [property: JsonPropertyName("vroegsignalen")] IReadOnlyList<DdasVroegsignaal> Vroegsignalen,
    [property: JsonPropertyName("vroegsignaalzaken")] IReadOnlyList<DdasVroegsignaalzaak> Vroegsignaalzaken);

/// <summary>The organisation that delivers to CBS: the gemeente itself or a party acting for it.</summary>
public sealed record DdasOrganisatie(
    [property: JsonPropertyName("naam")] string? Naam,
    [property: JsonPropertyName("kvk-nummer")] string? KvkNummer,
    [property: JsonPropertyName("contactpersoonen")] IReadOnlyList<DdasContactpersoon>? Contactpersonen);

public sealed record DdasContactpersoon(
    [property: JsonPropertyName("naam")] string? Naam,
    [property: JsonPropertyName("telefoonnummer")] string? Telefoonnummer,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("functietitel")] string? Functietitel);

/// <summary>A vroegsignaal. <see cref="Status"/> is absent for a signal that was picked up (DDAS has no value for it).</summary>
public sealed record DdasVroegsignaal(
    [property: JsonPropertyName("ID")] string Id,
    [property: JsonPropertyName("crisissignaal")] bool Crisissignaal,
    [property: JsonPropertyName("warmeOverdracht")] bool WarmeOverdracht,
    [property: JsonPropertyName("bedrag")] long Bedrag,
    [property: JsonPropertyName("ontstaansdatum")] DateOnly Ontstaansdatum,
    [property: JsonPropertyName("signaaldatum")] DateOnly Signaaldatum,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("signaalpartner")] DdasSignaalpartner Signaalpartner,
    [property: JsonPropertyName("client")] DdasClient Client);

public sealed record DdasSignaalpartner([property: JsonPropertyName("type")] string Type);

/// <summary>The person of a signal, in DDAS spelling (capitalised). Only what the caller supplied; empty otherwise.</summary>
public sealed record DdasClient(
    [property: JsonPropertyName("Burgerservicenummer")] string? Burgerservicenummer = null,
    [property: JsonPropertyName("Voorletters")] string? Voorletters = null,
    [property: JsonPropertyName("Voorvoegsel")] string? Voorvoegsel = null,
    [property: JsonPropertyName("Achternaam")] string? Achternaam = null,
    [property: JsonPropertyName("Geboortedatum")] DateOnly? Geboortedatum = null,
    [property: JsonPropertyName("Straatnaam")] string? Straatnaam = null,
    [property: JsonPropertyName("Postcode")] string? Postcode = null,
    [property: JsonPropertyName("Huisnummer")] string? Huisnummer = null,
    [property: JsonPropertyName("Huisnummertoevoeging")] string? Huisnummertoevoeging = null,
    [property: JsonPropertyName("Plaatsnaam")] string? Plaatsnaam = null);

/// <summary>A vroegsignaalzaak (case). <see cref="Resultaat"/> only once the case is closed.</summary>
public sealed record DdasVroegsignaalzaak(
    [property: JsonPropertyName("resultaat")] string? Resultaat,
    [property: JsonPropertyName("matchingsdatum")] DateOnly Matchingsdatum,
    [property: JsonPropertyName("startdatum_matchtingperiode")] DateOnly StartdatumMatchingperiode,
    [property: JsonPropertyName("datum_opgepakt")] DateOnly? DatumOpgepakt,
    [property: JsonPropertyName("einddatum_matchingperiode")] DateOnly EinddatumMatchingperiode,
    [property: JsonPropertyName("vroegsignalen")] IReadOnlyList<DdasSignaalReferentie> Vroegsignalen,
    [property: JsonPropertyName("contactpogingen")] IReadOnlyList<DdasContactpoging> Contactpogingen);

public sealed record DdasSignaalReferentie([property: JsonPropertyName("ID")] string Id);

public sealed record DdasContactpoging(
    [property: JsonPropertyName("soort")] string Soort,
    [property: JsonPropertyName("bereikt")] bool Bereikt,
    [property: JsonPropertyName("datum")] DateOnly Datum,
    [property: JsonPropertyName("dagdeel")] string? Dagdeel);

/// <summary>DDAS enumeration values, spelled exactly as the standard does.</summary>
public static class DdasValues
{
    public const string NogNietOpgepakt = "Nog niet opgepakt";
    public const string OnterechtSignaal = "Niet opgepakt: onterecht signaal";
    public const string Overleden = "Inwoner is overleden";
    public const string GeenInwoner = "Persoon is geen inwoner (meer) in de gemeente";
    public const string HerhaaldeMelding = "Niet opgepakt: herhaalde melding";
    public const string AndereReden = "Niet opgepakt: andere reden";

    /// <summary><c>EnumSignaalstatus</c>.</summary>
    public static readonly IReadOnlyList<string> Signaalstatus =
        [NogNietOpgepakt, OnterechtSignaal, Overleden, GeenInwoner, HerhaaldeMelding, AndereReden];

    /// <summary><c>EnumEindresultaat</c>.</summary>
    public static readonly IReadOnlyList<string> Eindresultaat =
    [
        HerhaaldeMelding,
        OnterechtSignaal,
        Overleden,
        GeenInwoner,
        AndereReden,
        "Inwoner al bekend bij schuldhulpverlening",
        "Inwoner heeft al een ander lopend traject",
        "Definitief geen contact kunnen krijgen",
        "Geen reactie na eerder contact",
        "Inwoner hoeft geen hulp vanuit vroegsignalering",
        "Inwoner heeft zelf al betaald/betalingsregeling getroffen",
        "(Budget)advies en/of quick fix",
        "Vervolghulp en/of verwijzing financieel",
        "Verwijzing zonder contact",
        "Vervolghulp en/of verwijzing niet financieel",
    ];

    /// <summary>The DDAS spelling of a case result, or null when it is not an <c>EnumEindresultaat</c> value.</summary>
    public static string? EindresultaatOrNull(string? text) =>
        text is null ? null : Eindresultaat.FirstOrDefault(r => string.Equals(r, text.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Maps one gemeente's cases and signals over a period to the DDAS Uitwisselmodel that municipalities deliver
/// to CBS. Pure: it reads what it is given, as stored at the moment of export. The rules:
/// <list type="bullet">
/// <item>Vroegsignaalzaken: the gemeente's cases open at some moment in the period: opened (matchingsdatum, the
/// Amsterdam date of opening) on or before its end and not closed before its start. A case is therefore
/// delivered in every period it runs through, the last time with its resultaat.</item>
/// <item>Vroegsignalen: the gemeente's signals whose signaaldatum falls in the period, plus every signal a
/// delivered case refers to, so every reference resolves within the file.</item>
/// <item>Bedrag: whole euros, rounded half away from zero (DDAS requires an integer): 12.50 → 13, 12.49 → 12.</item>
/// <item>Everything as it stood at the end of the period: a case opened, closed or a task dispatched after its last day
/// had not happened yet (no case, still open, not picked up).</item>
/// <item>Status: a closed case's resultaat when it is also a signal status (e.g. "Inwoner is overleden");
/// absent for a signal covered by a dispatched task, or by any task of a closed case (picked up: DDAS has no
/// value for it); "Nog niet opgepakt" while it waits for triage or dispatch; "Niet opgepakt: herhaalde melding"
/// for a repeat from a creditor the case already had a task for; "Niet opgepakt: andere reden" for another
/// signal no task covered (under the gemeente's minimum amount).</item>
/// <item>Matchingperiode: the first to the last signaaldatum of the case; datum_opgepakt: the Amsterdam date the
/// case's first task was dispatched, when it was; contactpogingen: the teams' attempts on the case dated on or before
/// the period's last day, oldest first (soort, bereikt, datum, dagdeel as recorded; empty before the first).</item>
/// <item>Client: DDAS requires the object; it holds only what <c>clientDetails</c> returns for the signal id
/// (decrypted by the caller) and is empty when that is null.</item>
/// </list>
/// </summary>
public static class DdasExport
{
    public static DdasExportResult Build(DdasExportRequest request, DdasExportSource source, Func<string, ClientDetails?>? clientDetails = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        if (request.StartdatumLevering > request.EinddatumLevering)
        {
            throw new ArgumentException("startdatumLevering is after einddatumLevering", nameof(request));
        }

        if (AreaCodeFormat.Gemeente(request.Gemeentecode) != request.Gemeentecode)
        {
            throw new ArgumentException("gemeentecode must be the 4-digit CBS code, e.g. 0363", nameof(request));
        }

        var gemeente = request.Gemeentecode;
        var (start, end) = (request.StartdatumLevering, request.EinddatumLevering);
        var issues = new List<DdasExportIssue>();

        var signals = source.Signals.Where(s => s.Area.Gemeentecode == gemeente)
            .GroupBy(s => s.SignalId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var cases = source.Cases.Where(c => c.Area.Gemeentecode == gemeente).ToList();
        var caseBySignal = new Dictionary<string, HouseholdCase>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            foreach (var id in c.SignalIds)
            {
                caseBySignal[id] = c;
            }
        }

        var caseIds = cases.Select(c => c.CaseId).ToHashSet(StringComparer.Ordinal);
        var tasks = source.Tasks.Where(t => caseIds.Contains(t.CaseId)).ToList();
        // As things stood at the end of the period: later dispatches had not happened yet.
        var dispatchedAt = source.Outbox.Where(o => o.DispatchedAt is { } at && DutchCalendar.LocalDate(at) <= end)
            .GroupBy(o => o.TaskId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(o => o.DispatchedAt!.Value), StringComparer.Ordinal);
        var tasksBySignal = tasks.SelectMany(t => t.SignalIds.Select(id => (id, t)))
            .GroupBy(x => x.id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(x => x.t).ToList(), StringComparer.Ordinal);

        // A case's attempts as they stood at the end of the period, oldest first.
        var attemptsByCase = source.Attempts.Where(a => caseIds.Contains(a.CaseId) && a.Datum <= end)
            .GroupBy(a => a.CaseId, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<DdasContactpoging>)g.OrderBy(a => a.Datum).ThenBy(a => a.RecordedAt).ThenBy(a => a.Id, StringComparer.Ordinal)
                    .Select(a => new DdasContactpoging(a.Soort, a.Bereikt, a.Datum, a.Dagdeel)).ToList(),
                StringComparer.Ordinal);

        var zaken = new List<DdasVroegsignaalzaak>();
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in cases.Where(c => Active(c, start, end)).OrderBy(c => c.OpenedAt).ThenBy(c => c.CaseId, StringComparer.Ordinal))
        {
            var present = c.SignalIds.Distinct(StringComparer.Ordinal).Where(signals.ContainsKey).ToList();
            if (present.Count < c.SignalIds.Distinct(StringComparer.Ordinal).Count())
            {
                issues.Add(new DdasExportIssue(c.CaseId, "signal_missing", "the case refers to signals that are not in the source; they are left out"));
            }

            if (present.Count == 0)
            {
                issues.Add(new DdasExportIssue(c.CaseId, "case_without_signals", "DDAS requires at least one vroegsignaal per case; the case is left out"));
                continue;
            }

            string? resultaat = null;
            if (ClosedBy(c, end))
            {
                resultaat = DdasValues.EindresultaatOrNull(c.Resultaat);
                if (resultaat is null)
                {
                    issues.Add(new DdasExportIssue(c.CaseId, "resultaat_not_ddas", "the case is closed with a resultaat that is not a DDAS EnumEindresultaat value; resultaat is left out"));
                }
            }

            var dispatches = tasks.Where(t => t.CaseId == c.CaseId && dispatchedAt.ContainsKey(t.TaskId)).Select(t => dispatchedAt[t.TaskId]).ToList();
            var caseSignals = present.Select(id => signals[id]).ToList();
            referenced.UnionWith(present);
            zaken.Add(new DdasVroegsignaalzaak(
                resultaat,
                DutchCalendar.LocalDate(c.OpenedAt),
                caseSignals.Min(s => s.Signaaldatum),
                dispatches.Count > 0 ? DutchCalendar.LocalDate(dispatches.Min()) : null,
                caseSignals.Max(s => s.Signaaldatum),
                present.Select(id => new DdasSignaalReferentie(id)).ToList(),
                attemptsByCase.GetValueOrDefault(c.CaseId) ?? []));
        }

        var vroegsignalen = signals.Values
            .Where(s => referenced.Contains(s.SignalId) || (s.Signaaldatum >= start && s.Signaaldatum <= end))
            .OrderBy(s => s.Signaaldatum).ThenBy(s => s.SignalId, StringComparer.Ordinal)
            .Select(s => new DdasVroegsignaal(
                s.SignalId,
                s.Crisissignaal,
                s.WarmeOverdracht,
                WholeEuros(s.Bedrag),
                s.Ontstaansdatum,
                s.Signaaldatum,
                Status(s, CaseByPeriodEnd(caseBySignal.GetValueOrDefault(s.SignalId), end), ClosedBy(caseBySignal.GetValueOrDefault(s.SignalId), end), tasksBySignal, dispatchedAt, signals),
                new DdasSignaalpartner(s.PartnerType.ToDdas()),
                Client(clientDetails?.Invoke(s.SignalId))))
            .ToList();

        var organisatie = request.AanleverendeOrganisatie with
        {
            // DDAS: at least one contact person, all distinct; an empty list is left out rather than delivered invalid.
            Contactpersonen = request.AanleverendeOrganisatie.Contactpersonen is { Count: > 0 } people ? people.Distinct().ToList() : null,
        };
        var levering = new DdasLevering(1, gemeente, organisatie, vroegsignalen, zaken);
        var model = new DdasUitwisselmodel(start, end, request.AanleverdatumEnTijd, request.CodeGegevensleverancier, [levering]);
        return new DdasExportResult(model, issues);
    }

    /// <summary>DDAS amounts are whole euros: rounded half away from zero (12.50 → 13, 12.49 → 12).</summary>
    public static long WholeEuros(decimal bedrag) => (long)decimal.Round(bedrag, 0, MidpointRounding.AwayFromZero);

    // EnumSignaalstatus has no value for "picked up": such a signal has no status (its case has datum_opgepakt).
    private static string? Status(
        StoredSignal signal,
        HouseholdCase? @case,
        bool closed,
        Dictionary<string, List<OutreachTask>> tasksBySignal,
        Dictionary<string, DateTimeOffset> dispatchedAt,
        Dictionary<string, StoredSignal> signals)
    {
        if (@case is null)
        {
            return DdasValues.NogNietOpgepakt;
        }

        if (closed && DdasValues.EindresultaatOrNull(@case.Resultaat) is { } result && DdasValues.Signaalstatus.Contains(result))
        {
            return result;
        }

        if (tasksBySignal.TryGetValue(signal.SignalId, out var covering))
        {
            // A closed case was dealt with even when its task never went out.
            return covering.Any(t => dispatchedAt.ContainsKey(t.TaskId)) || closed ? null : DdasValues.NogNietOpgepakt;
        }

        // Outreach never covered this signal: a repeat of a creditor the case already had a task for, or under the minimum amount.
        var creditorCovered = @case.SignalIds.Any(id => id != signal.SignalId && tasksBySignal.ContainsKey(id)
            && signals.TryGetValue(id, out var other) && other.CreditorId == signal.CreditorId);
        return creditorCovered ? DdasValues.HerhaaldeMelding : DdasValues.AndereReden;
    }

    // Closed on or before the last day of the period; a case closed later was still open then.
    private static bool ClosedBy(HouseholdCase? c, DateOnly end) =>
        c is { Status: CaseStatus.Closed, ClosedAt: { } closedAt } && DutchCalendar.LocalDate(closedAt) <= end;

    // A signal is delivered as it stood at the end of the period: a case opened after it did not exist yet.
    private static HouseholdCase? CaseByPeriodEnd(HouseholdCase? c, DateOnly end) =>
        c is not null && DutchCalendar.LocalDate(c.OpenedAt) <= end ? c : null;

    private static bool Active(HouseholdCase c, DateOnly start, DateOnly end) =>
        DutchCalendar.LocalDate(c.OpenedAt) <= end && (c.ClosedAt is not { } closed || DutchCalendar.LocalDate(closed) >= start);

    private static DdasClient Client(ClientDetails? c) => c is null
        ? new DdasClient()
        : new DdasClient(
            c.Burgerservicenummer, c.Voorletters, c.Voorvoegsel, c.Achternaam, c.Geboortedatum, c.Straatnaam, c.Postcode,
            c.Huisnummer.ToString(CultureInfo.InvariantCulture), c.Huisnummertoevoeging, c.Plaatsnaam);
}

/// <summary>DDAS datum-tijd: UTC to the second, <c>YYYY-MM-DDTHH:MM:SSZ</c>.</summary>
internal sealed class DdasDateTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}

/// <summary>Source-generated JSON for the DDAS export: the standard's own property names; absent rather than null.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(DdasUitwisselmodel))]
public sealed partial class DdasJson : JsonSerializerContext
{
    // The file goes to CBS, never into HTML: escaping Ö as \u00D6 would only make it harder to read.
    internal static DdasJson File { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
