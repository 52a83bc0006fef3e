using System.Globalization;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;

namespace VroegSignalering.Functions.Operations;

/// <summary>
/// What the key endpoints (<see cref="KeyUsage"/>, <see cref="CheckKeyRetirement"/>, <see cref="RewrapKeys"/>)
/// share: the names of the key rings in routes and answers, the key id rule, and the mapping of counts.
/// </summary>
public static class KeyOperations
{
    public const string Encryption = "encryption";
    public const string Hmac = "hmac";
    public const int MaxKeyIdLength = 64;

    /// <summary>The ring named in a route, or null (errors gets the reason, field <paramref name="field"/>).</summary>
    public static KeyKind? Kind(string text, string field, List<RowError> errors)
    {
        switch (text)
        {
            case Encryption:
                return KeyKind.Encryption;
            case Hmac:
                return KeyKind.Hmac;
            default:
                errors.Add(new RowError(0, null, field, "field.invalid", $"the key ring is '{Encryption}' or '{Hmac}'"));
                return null;
        }
    }

    /// <summary>
    /// Key ids name app settings (Keys__Encryption__Keys__&lt;id&gt;) and Key Vault secrets (encryption-&lt;id&gt;),
    /// so they are letters and digits only (docs/operations.md, "Rotating keys").
    /// </summary>
    public static string? KeyId(string? text, string field, List<RowError> errors)
    {
        if (text is null)
        {
            errors.Add(new RowError(0, null, field, "field.required", $"{field} is required: a key id such as k1"));
            return null;
        }

        if (text.Length is 0 or > MaxKeyIdLength || !text.All(char.IsAsciiLetterOrDigit))
        {
            errors.Add(new RowError(0, null, field, "field.invalid", string.Create(CultureInfo.InvariantCulture, $"a key id is 1 to {MaxKeyIdLength} letters and digits (k1, k2)")));
            return null;
        }

        return text;
    }

    public static string Name(KeyKind kind) => kind == KeyKind.Encryption ? Encryption : Hmac;

    public static IReadOnlyList<KeyUsageRow> Rows(IEnumerable<KeyUsageCount> counts) =>
        counts.Select(c => new KeyUsageRow(Name(c.Kind), c.KeyId, c.Holder, c.Count)).ToList();
}

/// <summary>How many records of one holder were made under one key ('?': the key could not be told).</summary>
public sealed record KeyUsageRow(string Kind, string KeyId, string Holder, long Count);

/// <summary>Counts per key ring, key id and holder, and the configured key ids (active first). No personal data.</summary>
public sealed record KeyUsageResponse(
    IReadOnlyList<string> EncryptionKeyIds,
    IReadOnlyList<string> HmacKeyIds,
    IReadOnlyList<KeyUsageRow> Counts);

/// <summary>
/// Whether a key may be dropped from configuration. Allowed: the settings to drop and the ids to keep.
/// Refused: the reason and the counts that still need the key.
/// </summary>
public sealed record KeyRetireResponse(
    string Kind,
    string KeyId,
    bool Allowed,
    string Reason,
    IReadOnlyList<KeyUsageRow> Remaining,
    IReadOnlyList<string> SettingsToDrop,
    string SecretName,
    IReadOnlyList<string> KeyIdsToKeep);

/// <summary>
/// One bounded rewrap pass. <c>more</c>: call again (the limit stopped the pass, or records changed meanwhile).
/// <c>failed</c> records did not decrypt and stay as they are; <c>uninspected</c> intake-queue messages are
/// processed under the old key while it stays configured.
/// </summary>
public sealed record KeyRewrapResponse(
    string Kind,
    string From,
    string To,
    int Max,
    long Scanned,
    long Rewrapped,
    long ChangedMeanwhile,
    long Failed,
    long Uninspected,
    bool More);
