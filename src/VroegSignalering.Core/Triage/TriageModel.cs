using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Triage;

public enum Priority
{
    Laag,
    Normaal,
    Hoog,
    Spoed,
}

/// <summary>First contact channels, named as DDAS <c>EnumContactsoort</c>.</summary>
public enum ContactChannel
{
    Telefoon,
    Huisbezoek,
    Brief,
    Mail,
    SmsWhatsapp,
    Kaartje,
}

public static class ContactChannels
{
    public static string ToDdas(this ContactChannel channel) => channel switch
    {
        ContactChannel.SmsWhatsapp => "SMS/Whatsapp",
        _ => channel.ToString(),
    };
}

/// <summary>
/// One arrears fact: the only kind of input triage has. It deliberately has no field for names,
/// birth dates, addresses, neighbourhoods or anything else about the person.
/// </summary>
public sealed record ArrearsFact(
    string CreditorId,
    PartnerType PartnerType,
    decimal Bedrag,
    DateOnly Ontstaansdatum,
    DateOnly Signaaldatum,
    bool Crisissignaal,
    bool WarmeOverdracht,
    DateOnly? Eindeleveringsdatum,
    decimal? EerderBedrag);

/// <summary>A reason for a priority: a stable code and a readable Dutch text.</summary>
public sealed record TriageReason(string Code, string Text, int Points);

public sealed record TriageResult(
    string PolicyVersion,
    Priority Priority,
    int Score,
    IReadOnlyList<TriageReason> Reasons,
    ContactChannel RecommendedChannel,
    DateOnly DueDate);
