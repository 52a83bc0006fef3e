using System.Globalization;

namespace VroegSignalering.Core.Intake;

/// <summary>The number, date and boolean spellings Dutch creditors' systems and spreadsheets produce.</summary>
public static class DutchFormats
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd-MM-yyyy", "d-M-yyyy", "dd/MM/yyyy", "d/M/yyyy"];

    /// <summary>
    /// 1234.56, 1234,56, 1.234,56, 1,234.56, € 12,50. With both separators the last one is the decimal
    /// separator; a lone comma is a decimal comma; a lone point a decimal point.
    /// </summary>
    public static bool TryParseAmount(string? text, out decimal amount)
    {
        amount = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().Replace("€", string.Empty, StringComparison.Ordinal).Replace("EUR", string.Empty, StringComparison.OrdinalIgnoreCase).Trim();
        s = s.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\u00A0", string.Empty, StringComparison.Ordinal);
        if (s.Length == 0 || s.Length > 20)
        {
            return false;
        }

        var lastComma = s.LastIndexOf(',');
        var lastDot = s.LastIndexOf('.');
        if (lastComma >= 0 && lastDot >= 0)
        {
            var (thousands, dec) = lastComma > lastDot ? (".", ",") : (",", ".");
            s = s.Replace(thousands, string.Empty, StringComparison.Ordinal).Replace(dec, ".", StringComparison.Ordinal);
        }
        else if (lastComma >= 0)
        {
            if (s.IndexOf(',') != lastComma)
            {
                return false;
            }

            s = s.Replace(',', '.');
        }

        return decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
    }

    /// <summary>
    /// "1.250" or "12,500" in text: one separator followed by exactly three digits reads both as a
    /// thousands separator and as three decimals, so it is refused rather than guessed.
    /// </summary>
    public static bool IsAmbiguousThousands(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().Replace("€", string.Empty, StringComparison.Ordinal).Trim();
        var dots = s.Count(c => c == '.');
        var commas = s.Count(c => c == ',');
        if (dots + commas != 1)
        {
            return false;
        }

        var at = s.IndexOfAny(['.', ',']);
        var after = s[(at + 1)..];
        return after.Length == 3 && after.All(char.IsAsciiDigit) && at > 0 && s[..at].TrimStart('-').All(char.IsAsciiDigit);
    }

    /// <summary>ISO <c>2026-11-20</c> or Dutch <c>20-11-2026</c> (also with slashes); an ISO timestamp's date part.</summary>
    public static bool TryParseDate(string? text, out DateOnly date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Length > 10 && s[4] == '-' && (s[10] == 'T' || s[10] == ' '))
        {
            s = s[..10];
        }

        return DateOnly.TryParseExact(s, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    public static bool TryParseBool(string? text, out bool value)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "ja" or "j" or "yes" or "y" or "waar":
                value = true;
                return true;
            case "false" or "0" or "nee" or "n" or "no" or "onwaar":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// Dutch numbers normalise to ten digits starting with 0 (06…, 010…); +31/0031 become 0. Foreign
    /// numbers stay in E.164 (+32…). Spaces, dashes, dots and parentheses are dropped.
    /// </summary>
    public static bool TryNormalisePhone(string? text, out string phone)
    {
        phone = string.Empty;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 25)
        {
            return false;
        }

        var s = new string(text.Where(c => c is not (' ' or '-' or '.' or '(' or ')' or '\u00A0')).ToArray());
        if (s.StartsWith("0031", StringComparison.Ordinal))
        {
            s = "+31" + s[4..];
        }

        if (s.StartsWith("+31", StringComparison.Ordinal))
        {
            s = "0" + s[3..];
            if (s.StartsWith("00", StringComparison.Ordinal))
            {
                s = s[1..]; // +31 (0)6… written with the trunk zero
            }
        }

        if (s.Length == 10 && s[0] == '0' && s[1] != '0' && s.All(char.IsAsciiDigit))
        {
            phone = s;
            return true;
        }

        if (s.StartsWith('+') && s.Length is >= 9 and <= 16 && s[1] != '0' && s[1..].All(char.IsAsciiDigit))
        {
            phone = s;
            return true;
        }

        return false;
    }
}
