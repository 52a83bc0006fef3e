using System.Diagnostics.CodeAnalysis;

namespace VroegSignalering.Core.Intake;

/// <summary>A Dutch postcode, normalised to <c>1234AB</c> (no space, upper case).</summary>
public readonly record struct Postcode
{
    private Postcode(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    /// <summary>Accepts <c>1234AB</c>, <c>1234 ab</c>, <c> 1234-Ab </c>. The first digit is 1-9; SA, SD and SS are not issued.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Postcode? postcode)
    {
        postcode = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 12)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[6];
        var n = 0;
        foreach (var c in text)
        {
            if (c is ' ' or '-' or '\u00A0' or '\t')
            {
                continue;
            }

            if (n == 6)
            {
                return false;
            }

            buffer[n++] = char.ToUpperInvariant(c);
        }

        if (n != 6
            || buffer[0] is < '1' or > '9'
            || !char.IsAsciiDigit(buffer[1]) || !char.IsAsciiDigit(buffer[2]) || !char.IsAsciiDigit(buffer[3])
            || !char.IsAsciiLetterUpper(buffer[4]) || !char.IsAsciiLetterUpper(buffer[5]))
        {
            return false;
        }

        var letters = new string(buffer[4..6]);
        if (letters is "SA" or "SD" or "SS")
        {
            return false;
        }

        postcode = new Postcode(new string(buffer));
        return true;
    }

    public static Postcode Parse(string text) =>
        TryParse(text, out var p) ? p.Value : throw new FormatException("not a Dutch postcode (1234AB)");
}
