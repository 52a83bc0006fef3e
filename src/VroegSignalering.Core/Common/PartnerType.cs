namespace VroegSignalering.Core.Common;

/// <summary>The kinds of signaalpartner (creditor), as DDAS <c>EnumSignaalpartner</c> names them.</summary>
public enum PartnerType
{
    Energie,
    Huur,
    Hypotheek,
    CakZorgverzekeringen,
    Zorg,
    Water,
    Duo,
    Belastingdienst,
    CakEigenBijdrage,
    Overige,
    DienstToeslagen,
}

public static class PartnerTypes
{
    private static readonly Dictionary<PartnerType, string> Names = new()
    {
        [PartnerType.Energie] = "Energie",
        [PartnerType.Huur] = "Huur",
        [PartnerType.Hypotheek] = "Hypotheek",
        [PartnerType.CakZorgverzekeringen] = "CAK Zorgverzekeringen",
        [PartnerType.Zorg] = "Zorg",
        [PartnerType.Water] = "Water",
        [PartnerType.Duo] = "DUO",
        [PartnerType.Belastingdienst] = "Belastingdienst",
        [PartnerType.CakEigenBijdrage] = "CAK Eigen bijdrage",
        [PartnerType.Overige] = "Overige",
        [PartnerType.DienstToeslagen] = "Dienst Toeslagen",
    };

    private static readonly Dictionary<string, PartnerType> ByName =
        Names.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyCollection<string> All => Names.Values;

    /// <summary>The DDAS spelling, e.g. <c>CAK Zorgverzekeringen</c>.</summary>
    public static string ToDdas(this PartnerType type) => Names[type];

    public static bool TryParse(string? text, out PartnerType type)
    {
        type = default;
        return text is not null && ByName.TryGetValue(text.Trim(), out type);
    }

    /// <summary>Creditors whose supply can be cut off: they may send an end-of-supply date.</summary>
    public static bool IsUtility(this PartnerType type) => type is PartnerType.Energie or PartnerType.Water;

    /// <summary>Arrears that put the home at risk (eviction, forced sale).</summary>
    public static bool IsHousing(this PartnerType type) => type is PartnerType.Huur or PartnerType.Hypotheek;
}
