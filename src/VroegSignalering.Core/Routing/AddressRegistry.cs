namespace VroegSignalering.Core.Routing;

/// <summary>CBS area codes: gemeente (4 digits), wijk (6), buurt (8), zero-padded, without GM/WK/BU.</summary>
public sealed record AreaCodes(string Gemeentecode, string Wijkcode, string Buurtcode);

public enum RoutingStatus
{
    Routed,

    /// <summary>No such postcode and house number: quarantined.</summary>
    NotFound,

    /// <summary>The address matches more than one area: quarantined for a person to decide.</summary>
    Ambiguous,
}

public sealed record RoutingResult(RoutingStatus Status, AreaCodes? Area, string? Detail)
{
    public static RoutingResult Found(AreaCodes area) => new(RoutingStatus.Routed, area, null);

    public static RoutingResult NotFound(string detail) => new(RoutingStatus.NotFound, null, detail);

    public static RoutingResult Ambiguous(string detail) => new(RoutingStatus.Ambiguous, null, detail);
}

/// <summary>
/// Routes an address to its gemeente, wijk and buurt. A registry that cannot answer right now throws,
/// so the message is retried rather than the signal quarantined.
/// </summary>
public interface IAddressRegistry
{
    ValueTask<RoutingResult> RouteAsync(string postcode, int huisnummer, string? toevoeging, CancellationToken cancellationToken);
}

public static class AreaCodeFormat
{
    /// <summary>Accepts 363, 0363, GM0363 → 0363.</summary>
    public static string? Gemeente(string? text) => Pad(text, "GM", 4);

    public static string? Wijk(string? text) => Pad(text, "WK", 6);

    public static string? Buurt(string? text) => Pad(text, "BU", 8);

    private static string? Pad(string? text, string prefix, int digits)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var s = text.Trim();
        if (s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            s = s[prefix.Length..];
        }

        return s.Length <= digits && s.Length > 0 && s.All(char.IsAsciiDigit) ? s.PadLeft(digits, '0') : null;
    }
}
