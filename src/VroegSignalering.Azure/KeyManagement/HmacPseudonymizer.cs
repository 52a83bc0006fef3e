using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;

namespace VroegSignalering.Azure.KeyManagement;

/// <summary>
/// HMAC-SHA256 keyed hashes (128 bits, hex) over normalised inputs. Without the key nobody can tell
/// which address or person a key stands for, and the same household always gets the same key.
/// </summary>
public sealed class HmacPseudonymizer : IPseudonymizer
{
    private readonly byte[] _key;

    public HmacPseudonymizer(IOptions<KeyOptions> options)
    {
        var (keys, error) = options.Value.Hmac.Decode("Hmac");
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }

        _key = keys[options.Value.Hmac.ActiveKeyId!];
    }

    public string HouseholdKey(string postcode, int huisnummer, string? toevoeging) =>
        Hash($"hh|{postcode.ToUpperInvariant()}|{huisnummer.ToString(CultureInfo.InvariantCulture)}|{SignalValidator.NormaliseAddition(toevoeging) ?? string.Empty}");

    public string PersonKey(ClientDetails client)
    {
        if (client.Burgerservicenummer is { } bsn)
        {
            return Hash("bsn|" + bsn);
        }

        var name = Letters((client.Voorvoegsel ?? string.Empty) + client.Achternaam);
        var initial = Letters(client.Voorletters ?? string.Empty) is { Length: > 0 } i ? i[..1] : string.Empty;
        return Hash($"p|{name}|{initial}|{client.Geboortedatum.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
    }

    // "van 't Hof", "Van't Hof" and "vant hof" are one name; "Öztürk" and "Ozturk" too.
    private static string Letters(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (char.IsLetter(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.ToString();
    }

    private string Hash(string text)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text), mac);
        return Convert.ToHexStringLower(mac[..16]);
    }
}
