using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Tests.Intake;

/// <summary>
/// A valid synthetic signal row and the fixed date it is valid on. Tests change one or a few fields of it,
/// so every rejection can be attributed to the field the test touched.
/// </summary>
internal static class SignalRows
{
    /// <summary>Friday 20 November 2026: the "today" of every intake test.</summary>
    public static readonly DateOnly Today = new(2026, 11, 20);

    public static readonly IReadOnlySet<PartnerType> RegisteredForAll = Enum.GetValues<PartnerType>().ToHashSet();

    public static readonly IReadOnlySet<PartnerType> RegisteredForHuur = new HashSet<PartnerType> { PartnerType.Huur };

    public static IReadOnlyDictionary<string, string> ValidFields { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [SignalFields.Referentie] = "HUUR-2026-000123",
        [SignalFields.PartnerType] = "Huur",
        [SignalFields.Bedrag] = "845,50",
        [SignalFields.Ontstaansdatum] = "2026-08-01",
        [SignalFields.Signaaldatum] = "2026-11-16",
        [SignalFields.Herinnering] = "2026-09-01",
        [SignalFields.PersoonlijkContact] = "true",
        [SignalFields.GewezenOpSchuldhulp] = "true",
        [SignalFields.Voorletters] = "J.",
        [SignalFields.Achternaam] = "Jansen",
        [SignalFields.Geboortedatum] = "1985-04-12",
        [SignalFields.Straatnaam] = "Dorpsstraat",
        [SignalFields.Postcode] = "1234AB",
        [SignalFields.Huisnummer] = "12",
        [SignalFields.Plaatsnaam] = "Amsterdam",
        [SignalFields.Telefoon] = "0612345678",
        [SignalFields.Email] = "j.jansen@example.nl",
    };

    /// <summary>The valid row with <paramref name="changes"/> applied; a null value removes the field.</summary>
    public static RawSignal Row(params (string Field, string? Value)[] changes)
    {
        var row = new RawSignal(1);
        foreach (var (field, value) in ValidFields)
        {
            row.Set(field, value);
        }

        foreach (var (field, value) in changes)
        {
            row.Set(field, value);
        }

        return row;
    }

    public static ValidatedRow Validate(RawSignal row, IReadOnlySet<PartnerType>? registered = null) =>
        new SignalValidator(new IntakeLimits()).Validate(row, Today, registered ?? RegisteredForAll);

    public static ValidatedRow Validate(params (string Field, string? Value)[] changes) => Validate(Row(changes));

    public static string Describe(ValidatedRow result) =>
        result.Errors.Count == 0 ? "no errors" : string.Join("; ", result.Errors.Select(e => $"{e.Field} {e.Code}"));
}

/// <summary>Synthetic burgerservicenummers computed to pass (or fail) the 11-proof; never real ones.</summary>
internal static class SyntheticBsn
{
    /// <summary>The check digit that makes <paramref name="eightDigits"/> pass the 11-proof, or null when none does (remainder 10).</summary>
    public static int? CheckDigit(string eightDigits)
    {
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += (eightDigits[i] - '0') * (9 - i);
        }

        var check = sum % 11;
        return check == 10 ? null : check;
    }

    /// <summary>The first valid BSN at or after the eight-digit prefix <paramref name="start"/>.</summary>
    public static string ValidFrom(int start)
    {
        for (var prefix = start; ; prefix++)
        {
            var eight = prefix.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
            if (CheckDigit(eight) is { } check)
            {
                return eight + (char)('0' + check);
            }
        }
    }

    /// <summary>The valid BSN <paramref name="valid"/> with its last digit changed so the 11-proof fails.</summary>
    public static string Corrupt(string valid)
    {
        var last = valid[8] - '0';
        return valid[..8] + (char)('0' + ((last + 1) % 10));
    }
}
