using System.Text.Json.Serialization;

namespace VroegSignalering.Core.Outreach;

/// <summary>
/// Message contract <c>outreach-task.v1</c>: what a municipal team receives for one task revision.
/// Published as JSON Schema in docs/contracts/outreach-task.v1.schema.json. Never carries the BSN.
/// </summary>
public sealed record OutreachTaskMessage
{
    public const string SchemaVersionV1 = "outreach-task.v1";

    public string SchemaVersion { get; init; } = SchemaVersionV1;

    public required string TaskId { get; init; }

    public required string CaseId { get; init; }

    public required int Revision { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string Gemeentecode { get; init; }

    public required string Wijkcode { get; init; }

    public required string Buurtcode { get; init; }

    public required string Team { get; init; }

    public required string Priority { get; init; }

    public required int Score { get; init; }

    public required IReadOnlyList<OutreachReason> Reasons { get; init; }

    public required string RecommendedChannel { get; init; }

    public required DateOnly DueDate { get; init; }

    public required string PolicyVersion { get; init; }

    public required IReadOnlyList<OutreachSignalSummary> Signals { get; init; }

    public required OutreachHousehold Household { get; init; }
}

public sealed record OutreachReason(string Code, string Text);

/// <summary>The arrears facts of one signal, as the team needs them for the first conversation.</summary>
public sealed record OutreachSignalSummary(
    string SignalId,
    string CreditorId,
    string SignaalpartnerType,
    decimal Bedrag,
    DateOnly Ontstaansdatum,
    DateOnly Signaaldatum,
    bool Crisissignaal,
    bool WarmeOverdracht,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateOnly? Eindeleveringsdatum);

public sealed record OutreachHousehold(OutreachAddress Address, IReadOnlyList<OutreachPerson> Persons);

public sealed record OutreachAddress(string? Straatnaam, int Huisnummer, string? Huisnummertoevoeging, string Postcode, string? Plaatsnaam);

/// <summary>Contact details a worker needs to reach the person. No BSN, no birth date.</summary>
public sealed record OutreachPerson(string? Voorletters, string? Voorvoegsel, string Achternaam, string? Telefoonnummer, string? Email);
