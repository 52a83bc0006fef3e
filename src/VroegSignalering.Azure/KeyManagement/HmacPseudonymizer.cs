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
    private readonly IReadOnlyDictionary<string, byte[]> _keys;

    public HmacPseudonymizer(IOptions<KeyOptions> options)
    {
        var (keys, error) = options.Value.Hmac.Decode("Hmac");
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }

        _keys = keys;
        var active = options.Value.Hmac.ActiveKeyId!;
        KeyIds = [active, .. keys.Keys.Where(k => k != active).Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> KeyIds { get; }

    public string HouseholdKey(string keyId, string postcode, int huisnummer, string? toevoeging) =>
        Hash(keyId, $"hh|{postcode.ToUpperInvariant()}|{huisnummer.ToString(CultureInfo.InvariantCulture)}|{SignalValidator.NormaliseAddition(toevoeging) ?? string.Empty}");

    public string PersonKey(string keyId, ClientDetails client)
    {
        if (client.Burgerservicenummer is { } bsn)
        {
            return Hash(keyId, "bsn|" + bsn);
        }

        var name = Letters((client.Voorvoegsel ?? string.Empty) + client.Achternaam);
        var initial = Letters(client.Voorletters ?? string.Empty) is { Length: > 0 } i ? i[..1] : string.Empty;
        return Hash(keyId, $"p|{name}|{initial}|{client.Geboortedatum.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
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

    private string Hash(string keyId, string text)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new InvalidOperationException($"no HMAC key with id '{keyId}' is configured");
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text), mac);
        return Convert.ToHexStringLower(mac[..16]);
    }
}
