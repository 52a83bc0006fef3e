namespace VroegSignalering.Cli.Generation;

/// <summary>
/// Burgerservicenummer helpers. Generated numbers are synthetic: nine digits starting with 99,
/// chosen at random and completed to pass the 11-proof. They are recognisable as test data and are
/// not taken from any register.
/// </summary>
internal static class Bsn
{
    public const string SyntheticPrefix = "99";

    /// <summary>Nine digits passing the 11-proof, by the same rule intake applies.</summary>
    public static bool IsValid(string? bsn) =>
        bsn is { Length: 9 } && bsn.All(char.IsAsciiDigit) && VroegSignalering.Core.Intake.Bsn.PassesElfproef(bsn);

    public static string NewSynthetic(Rng rng)
    {
        Span<char> digits = stackalloc char[9];
        while (true)
        {
            digits[0] = '9';
            digits[1] = '9';
            var sum = (9 * 9) + (9 * 8);
            for (var i = 2; i < 8; i++)
            {
                var d = rng.Next(10);
                digits[i] = (char)('0' + d);
                sum += d * (9 - i);
            }

            // The check digit d9 must make sum - d9 divisible by 11; a remainder of 10 has no digit.
            var check = sum % 11;
            if (check <= 9)
            {
                digits[8] = (char)('0' + check);
                return new string(digits);
            }
        }
    }

    /// <summary>A 9-digit number that fails the 11-proof, for intended-invalid rows.</summary>
    public static string NewInvalid(Rng rng)
    {
        var valid = NewSynthetic(rng);
        var last = valid[8] - '0';
        // Changing only the check digit by 1..9 always breaks the proof, since 1..9 is never a multiple of 11.
        var wrong = (last + rng.Between(1, 9)) % 10;
        return valid[..8] + (char)('0' + wrong);
    }
}
