using System.Security.Cryptography;
using System.Text;

namespace VroegSignalering.Core.Common;

/// <summary>Deterministic identifiers: the same input always yields the same id, so replays change nothing.</summary>
public static class StableIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>prefix + 26 base32 characters (130 bits) of SHA-256 over the parts, joined by a separator no part contains.</summary>
    public static string From(string prefix, params string[] parts) => prefix + Base32(Sha256(string.Join('\u001F', parts)), 26);

    public static byte[] Sha256(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Base32(ReadOnlySpan<byte> data, int length)
    {
        var chars = new char[length];
        int bits = 0, value = 0, index = 0, n = 0;
        while (n < length)
        {
            if (bits < 5)
            {
                value = (value << 8) | (index < data.Length ? data[index] : 0);
                index++;
                bits += 8;
            }

            chars[n++] = Alphabet[(value >> (bits - 5)) & 31];
            bits -= 5;
        }

        return new string(chars);
    }
}
