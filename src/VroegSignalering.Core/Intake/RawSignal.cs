namespace VroegSignalering.Core.Intake;

/// <summary>
/// One row as received, before validation: field path → text (numbers and booleans as their literal
/// text, absent or null as missing). Field paths are the public JSON names (<c>client.postcode</c>).
/// </summary>
public sealed class RawSignal
{
    private readonly Dictionary<string, string?> _fields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _jsonNumbers = new(StringComparer.Ordinal);
    private readonly List<RowError> _shapeErrors = [];

    public RawSignal(int row) => Row = row;

    /// <summary>1-based position in the request.</summary>
    public int Row { get; }

    public IReadOnlyList<RowError> ShapeErrors => _shapeErrors;

    public void Set(string field, string? value) => _fields[field] = value;

    /// <summary>A JSON number: its decimal separator is always a point, never a thousands separator.</summary>
    public void SetJsonNumber(string field, string value)
    {
        _fields[field] = value;
        _jsonNumbers.Add(field);
    }

    public bool IsJsonNumber(string field) => _jsonNumbers.Contains(field);

    public string? Get(string field) => _fields.TryGetValue(field, out var v) ? v : null;

    public bool Has(string field) => _fields.TryGetValue(field, out var v) && !string.IsNullOrWhiteSpace(v);

    public void AddShapeError(string field, string code, string message) =>
        _shapeErrors.Add(new RowError(Row, null, field, code, message));
}

/// <summary>The public field names of a signal, with the flattened names CSV headers use.</summary>
public static class SignalFields
{
    public const string Referentie = "signaalReferentie";
    public const string PartnerType = "signaalpartnerType";
    public const string Bedrag = "bedrag";
    public const string Ontstaansdatum = "ontstaansdatum";
    public const string Signaaldatum = "signaaldatum";
    public const string Crisissignaal = "crisissignaal";
    public const string WarmeOverdracht = "warmeOverdracht";
    public const string Eindeleveringsdatum = "eindeleveringsdatum";
    public const string Herinnering = "voorwaarden.herinneringVerstuurdOp";
    public const string PersoonlijkContact = "voorwaarden.persoonlijkContactGezocht";
    public const string GewezenOpSchuldhulp = "voorwaarden.gewezenOpSchuldhulp";
    public const string Bsn = "client.burgerservicenummer";
    public const string Voorletters = "client.voorletters";
    public const string Voorvoegsel = "client.voorvoegsel";
    public const string Achternaam = "client.achternaam";
    public const string Geboortedatum = "client.geboortedatum";
    public const string Straatnaam = "client.straatnaam";
    public const string Postcode = "client.postcode";
    public const string Huisnummer = "client.huisnummer";
    public const string Toevoeging = "client.huisnummertoevoeging";
    public const string Plaatsnaam = "client.plaatsnaam";
    public const string Telefoon = "client.telefoonnummer";
    public const string Email = "client.email";

    public static readonly IReadOnlyList<string> All =
    [
        Referentie, PartnerType, Bedrag, Ontstaansdatum, Signaaldatum, Crisissignaal, WarmeOverdracht, Eindeleveringsdatum,
        Herinnering, PersoonlijkContact, GewezenOpSchuldhulp,
        Bsn, Voorletters, Voorvoegsel, Achternaam, Geboortedatum, Straatnaam, Postcode, Huisnummer, Toevoeging, Plaatsnaam, Telefoon, Email,
    ];

    public static readonly IReadOnlySet<string> Known = All.ToHashSet(StringComparer.Ordinal);

    /// <summary>Nested objects of the JSON form.</summary>
    public static readonly IReadOnlySet<string> Groups = new HashSet<string>(StringComparer.Ordinal) { "client", "voorwaarden" };

    /// <summary>CSV header (case-insensitive, flattened) → field path.</summary>
    public static readonly IReadOnlyDictionary<string, string> ByFlatName =
        All.ToDictionary(f => f[(f.IndexOf('.', StringComparison.Ordinal) + 1)..], f => f, StringComparer.OrdinalIgnoreCase);
}
