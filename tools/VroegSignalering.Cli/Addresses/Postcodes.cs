namespace VroegSignalering.Cli.Addresses;

/// <summary>Dutch postcode (PC6) format rules and a compact integer key for indexes.</summary>
internal static class Postcodes
{
    /// <summary>Letter pairs PostNL does not issue (they read as SA, SD and SS abbreviations).</summary>
    public static readonly IReadOnlySet<string> ExcludedLetterPairs = new HashSet<string>(StringComparer.Ordinal) { "SA", "SD", "SS" };

    /// <summary>Four digits not starting with 0, then two capitals other than SA, SD, SS; no space.</summary>
    public static bool IsValid(ReadOnlySpan<char> pc6)
    {
        if (pc6.Length != 6 || pc6[0] is < '1' or > '9')
        {
            return false;
        }

        for (var i = 1; i < 4; i++)
        {
            if (!char.IsAsciiDigit(pc6[i]))
            {
                return false;
            }
        }

        if (!char.IsAsciiLetterUpper(pc6[4]) || !char.IsAsciiLetterUpper(pc6[5]))
        {
            return false;
        }

        return !IsExcluded(pc6[4], pc6[5]);
    }

    public static bool IsExcluded(char first, char second) =>
        first == 'S' && second is 'A' or 'D' or 'S';

    /// <summary>Packs a valid PC6 into an int (PC4 * 676 + letters) so millions of rows fit in arrays.</summary>
    public static int ToKey(ReadOnlySpan<char> pc6)
    {
        var pc4 = ((pc6[0] - '0') * 1000) + ((pc6[1] - '0') * 100) + ((pc6[2] - '0') * 10) + (pc6[3] - '0');
        return (pc4 * 676) + ((pc6[4] - 'A') * 26) + (pc6[5] - 'A');
    }

    public static string FromKey(int key)
    {
        var pc4 = key / 676;
        var letters = key % 676;
        return string.Create(6, (pc4, letters), static (span, state) =>
        {
            state.pc4.TryFormat(span, out _, "D4", System.Globalization.CultureInfo.InvariantCulture);
            span[4] = (char)('A' + (state.letters / 26));
            span[5] = (char)('A' + (state.letters % 26));
        });
    }

    public static long AddressKey(int pc6Key, int huisnummer) => ((long)pc6Key << 20) | (uint)huisnummer;
}
