namespace VroegSignalering.Cli.Generation;

/// <summary>The partner types the generator produces, with their share of signals nationally.</summary>
internal static class PartnerTypes
{
    public const string Zorg = "Zorg";
    public const string Huur = "Huur";
    public const string Energie = "Energie";
    public const string Water = "Water";

    /// <summary>Divosa monitor H1 2024, rounded to sum to 100: health insurers, rent, energy, water.</summary>
    public static readonly IReadOnlyList<(string Type, double Share)> NationalMix =
    [
        (Zorg, 0.42), (Huur, 0.20), (Energie, 0.21), (Water, 0.17),
    ];

    public static string ReferencePrefix(string type) => type.ToUpperInvariant();

    public static bool HasEndOfSupply(string type) => type is Energie or Water;
}

/// <summary>The defects put into rows on purpose, one per row, so the API's validation can be checked.</summary>
internal enum InvalidKind
{
    BadPostcode,
    HuisnummerZero,
    SignaaldatumInFuture,
    OntstaansdatumAfterSignaaldatum,
    BedragNotPositive,
    BedragThreeDecimals,
    BsnFailsElfproef,
    MissingAchternaam,
    UnknownPartnerType,
    EindeleveringsdatumOnHuur,
    BadEmail,
    MissingVoorwaarden,
}

internal enum RepeatKind
{
    None,

    /// <summary>A later signal from the same creditor for the same arrears, with a higher amount.</summary>
    Grown,

    /// <summary>A later signal from the same creditor with the same or a lower amount.</summary>
    NotGrown,
}

internal sealed record Voorwaarden(DateOnly HerinneringVerstuurdOp, bool PersoonlijkContactGezocht, bool GewezenOpSchuldhulp);

/// <summary>
/// One generated signal in the public field names, plus what the generator intended with it.
/// Mutable because defects and unroutable addresses are applied after the realistic row is built.
/// </summary>
internal sealed class GeneratedSignal
{
    public required string CreditorId { get; init; }

    /// <summary>The creditor's real partner type; <see cref="SignaalpartnerType"/> differs only for an intended defect.</summary>
    public required string PartnerType { get; init; }

    public required int Household { get; init; }

    public string SignaalReferentie { get; set; } = string.Empty;

    public required string SignaalpartnerType { get; set; }

    public decimal Bedrag { get; set; }

    public DateOnly Ontstaansdatum { get; set; }

    public DateOnly Signaaldatum { get; set; }

    public bool Crisissignaal { get; set; }

    public bool WarmeOverdracht { get; set; }

    public DateOnly? Eindeleveringsdatum { get; set; }

    public Voorwaarden? Voorwaarden { get; set; }

    public string? Burgerservicenummer { get; set; }

    public required string Voorletters { get; set; }

    public string? Voorvoegsel { get; set; }

    public string? Achternaam { get; set; }

    public DateOnly Geboortedatum { get; set; }

    public required string Straatnaam { get; set; }

    public required string Postcode { get; set; }

    public int Huisnummer { get; set; }

    public string? Huisnummertoevoeging { get; set; }

    public required string Plaatsnaam { get; set; }

    public string? Telefoonnummer { get; set; }

    public string? Email { get; set; }

    /// <summary>Order of generation: ties in signal date are broken by it, so references are stable.</summary>
    public int Sequence { get; set; }

    public InvalidKind? Invalid { get; set; }

    public bool Unroutable { get; set; }

    public RepeatKind Repeat { get; set; }

    /// <summary>For a repeat: the signal it repeats (same creditor, same arrears).</summary>
    public GeneratedSignal? Previous { get; set; }

    public bool IsIntendedValid => Invalid is null;

    public bool HasEndOfSupply => Eindeleveringsdatum is not null;
}
