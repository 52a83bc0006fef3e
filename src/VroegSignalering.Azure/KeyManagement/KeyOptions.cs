namespace VroegSignalering.Azure.KeyManagement;

/// <summary>
/// Key material (section <c>Keys</c>): <c>Keys:Encryption</c> for AES-GCM at rest and <c>Keys:Hmac</c>
/// for the keyed hashes that group households and persons. Each is a set of base64 32-byte keys by id
/// plus the active id. In Azure the values are Key Vault references in app settings
/// (<c>Keys__Encryption__Keys__k1=@Microsoft.KeyVault(SecretUri=…)</c>). Rotation: add a key, make it
/// active; older ciphertexts stay readable as long as their key id is still listed.
/// </summary>
public sealed class KeyOptions
{
    public const string Section = "Keys";

    public KeyRingOptions Encryption { get; set; } = new();

    public KeyRingOptions Hmac { get; set; } = new();
}

public sealed class KeyRingOptions
{
    public string? ActiveKeyId { get; set; }

    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The keys decoded, or a message saying what is wrong with the configuration.</summary>
    public (IReadOnlyDictionary<string, byte[]> Keys, string? Error) Decode(string name)
    {
        var decoded = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, value) in Keys)
        {
            // The id names a Key Vault secret (<ring>-<id>), an app setting and a path segment of the operator's key endpoints.
            if (id.Length is 0 or > 64 || !id.All(char.IsAsciiLetterOrDigit))
            {
                return (decoded, $"Keys:{name}:Keys:{id}: a key id is 1 to 64 letters and digits");
            }

            // App Service leaves the reference text in place when it cannot resolve it (secret missing, no
            // access): say so, rather than "not base64", because that is the usual mistake after adding a key id.
            if (value is not null && value.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            {
                return (decoded, $"Keys:{name}:Keys:{id} is an unresolved Key Vault reference ({value}): create that secret, or grant the app's identity Key Vault Secrets User, then restart");
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(value ?? string.Empty);
            }
            catch (FormatException)
            {
                return (decoded, $"Keys:{name}:Keys:{id} is not base64");
            }

            if (bytes.Length != 32)
            {
                return (decoded, $"Keys:{name}:Keys:{id} must be 32 bytes (256 bits), found {bytes.Length}");
            }

            decoded[id] = bytes;
        }

        if (string.IsNullOrEmpty(ActiveKeyId))
        {
            return (decoded, $"Keys:{name}:ActiveKeyId is not set");
        }

        return decoded.ContainsKey(ActiveKeyId)
            ? (decoded, null)
            : (decoded, $"Keys:{name}:ActiveKeyId '{ActiveKeyId}' has no key in Keys:{name}:Keys");
    }
}

/// <summary>Refuses to start with missing or malformed keys, naming the setting to fix.</summary>
public sealed class KeyOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<KeyOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, KeyOptions options)
    {
        var errors = new[] { options.Encryption.Decode("Encryption").Error, options.Hmac.Decode("Hmac").Error }.OfType<string>().ToList();
        return errors.Count == 0
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors);
    }
}
