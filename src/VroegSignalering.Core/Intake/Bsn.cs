namespace VroegSignalering.Core.Intake;

/// <summary>A burgerservicenummer: nine digits that pass the 11-proof (elfproef).</summary>
public static class Bsn
{
    /// <summary>Normalises (strips spaces, dots, dashes; left-pads 8 digits with a zero) and checks the 11-proof.</summary>
    public static bool TryNormalise(string? text, out string bsn)
    {
        bsn = string.Empty;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 15)
        {
            return false;
        }

        var digits = new string(text.Where(c => c is not (' ' or '.' or '-')).ToArray());
        if (digits.Length == 8)
        {
            digits = "0" + digits;
        }

        if (digits.Length != 9 || !digits.All(char.IsAsciiDigit) || !PassesElfproef(digits))
        {
            return false;
        }

        bsn = digits;
        return true;
    }

    /// <summary>9×d1 + 8×d2 + … + 2×d8 − 1×d9 is a multiple of 11, and not all zeros.</summary>
    public static bool PassesElfproef(string nineDigits)
    {
        if (nineDigits.Length != 9 || nineDigits == "000000000")
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += (nineDigits[i] - '0') * (9 - i);
        }

        sum -= nineDigits[8] - '0';
        return sum % 11 == 0;
    }
}
