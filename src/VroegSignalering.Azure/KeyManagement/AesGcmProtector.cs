using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Protection;

namespace VroegSignalering.Azure.KeyManagement;

/// <summary>
/// AES-256-GCM with a random 96-bit nonce per message; the context (e.g. the signal id) is authenticated
/// as associated data, so a ciphertext moved to another row fails to decrypt. Layout: nonce ‖ ciphertext ‖ tag.
/// </summary>
public sealed class AesGcmProtector : IPersonalDataProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly IReadOnlyDictionary<string, byte[]> _keys;
    private readonly string _activeKeyId;

    public AesGcmProtector(IOptions<KeyOptions> options)
    {
        var (keys, error) = options.Value.Encryption.Decode("Encryption");
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }

        _keys = keys;
        _activeKeyId = options.Value.Encryption.ActiveKeyId!;
        KeyIds = [_activeKeyId, .. keys.Keys.Where(k => k != _activeKeyId).Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> KeyIds { get; }

    public ProtectedPayload Protect(ReadOnlySpan<byte> plaintext, string context)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[_activeKeyId], TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), Encoding.UTF8.GetBytes(context));
        return new ProtectedPayload(_activeKeyId, output);
    }

    public byte[] Unprotect(ProtectedPayload payload, string context)
    {
        if (!_keys.TryGetValue(payload.KeyId, out var key))
        {
            throw new CryptographicException($"no key with id '{payload.KeyId}' is configured; keep retired keys listed until their data is gone");
        }

        var data = payload.Data;
        if (data.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("the ciphertext is too short");
        }

        var plaintext = new byte[data.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize, plaintext.Length), data.AsSpan(NonceSize + plaintext.Length), plaintext, Encoding.UTF8.GetBytes(context));
        return plaintext;
    }
}
