using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Intake;

/// <summary>A validated, normalised signal as a creditor sent it. Personal data lives in <see cref="Client"/>.</summary>
public sealed record IncomingSignal(
    string SignaalReferentie,
    PartnerType PartnerType,
    decimal Bedrag,
    DateOnly Ontstaansdatum,
    DateOnly Signaaldatum,
    bool Crisissignaal,
    bool WarmeOverdracht,
    DateOnly? Eindeleveringsdatum,
    Voorwaarden Voorwaarden,
    ClientDetails Client);

/// <summary>The Bgs preconditions the creditor declares it met before signalling.</summary>
public sealed record Voorwaarden(DateOnly HerinneringVerstuurdOp, bool PersoonlijkContactGezocht, bool GewezenOpSchuldhulp);

/// <summary>Personal data of the signal: encrypted at rest, never logged.</summary>
public sealed record ClientDetails(
    string? Burgerservicenummer,
    string? Voorletters,
    string? Voorvoegsel,
    string Achternaam,
    DateOnly Geboortedatum,
    string? Straatnaam,
    string Postcode,
    int Huisnummer,
    string? Huisnummertoevoeging,
    string? Plaatsnaam,
    string? Telefoonnummer,
    string? Email);

/// <summary>One rejected row (or field) with a stable code, a field path and a readable message.</summary>
public sealed record RowError(int Row, string? SignaalReferentie, string Field, string Code, string Message);
