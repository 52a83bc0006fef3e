using System.Globalization;
using System.Text;

namespace VroegSignalering.Cli.Generation;

/// <summary>
/// Telephone numbers and e-mail addresses that are valid in format only. E-mail uses the reserved
/// example domains exclusively, so nothing generated can reach a real mailbox.
/// </summary>
internal static class SyntheticContact
{
    public static readonly IReadOnlyList<string> EmailDomains = ["example.nl", "example.com"];

    /// <summary>06 followed by eight digits (a mobile number) in the Dutch national format.</summary>
    public static string Mobile(Rng rng) =>
        string.Create(CultureInfo.InvariantCulture, $"06{rng.Between(1, 5)}{rng.Next(10_000_000):D7}");

    /// <summary>A landline: three-digit area code plus seven digits, ten digits in all.</summary>
    public static string Landline(Rng rng, string areaCode) =>
        string.Create(CultureInfo.InvariantCulture, $"{areaCode}{rng.Between(2, 9)}{rng.Next(1_000_000):D6}");

    public static string Email(Rng rng, string voorletters, Surname surname, DateOnly geboortedatum)
    {
        var name = LocalPart(surname.ToString());
        var initial = LocalPart(voorletters.Split('.')[0]);
        var local = rng.Next(4) switch
        {
            0 => initial + "." + name,
            1 => initial + name + (geboortedatum.Year % 100).ToString("D2", CultureInfo.InvariantCulture),
            2 => name + "." + initial,
            _ => initial + "." + name + rng.Between(1, 99).ToString(CultureInfo.InvariantCulture),
        };
        return local + "@" + rng.Pick(EmailDomains);
    }

    /// <summary>Malformed addresses for intended-invalid rows; still only example domains.</summary>
    public static string InvalidEmail(Rng rng, string valid)
    {
        var at = valid.IndexOf('@', StringComparison.Ordinal);
        var local = valid[..at];
        var domain = valid[(at + 1)..];
        return rng.Next(4) switch
        {
            0 => local + "." + domain,          // no @
            1 => local + "@@" + domain,         // two @
            2 => local + " " + "x@" + domain,   // a space
            _ => local + "@",                   // no domain
        };
    }

    private static string LocalPart(string text)
    {
        var folded = SyntheticNames.FoldDiacritics(text).ToLowerInvariant();
        var result = new StringBuilder(folded.Length);
        foreach (var c in folded)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '-')
            {
                result.Append(c);
            }
        }

        return result.Length == 0 ? "klant" : result.ToString();
    }
}
