using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Protection;

/// <summary>Ciphertext with the id of the key that made it, so old data stays readable after rotation.</summary>
public sealed record ProtectedPayload(string KeyId, byte[] Data);

/// <summary>Encrypts personal data at rest (authenticated encryption; the context is bound as associated data).</summary>
public interface IPersonalDataProtector
{
    /// <summary>The encryption key ids that can decrypt, the active one (the one <see cref="Protect"/> uses) first.</summary>
    IReadOnlyList<string> KeyIds { get; }

    ProtectedPayload Protect(ReadOnlySpan<byte> plaintext, string context);

    byte[] Unprotect(ProtectedPayload payload, string context);
}

/// <summary>
/// Keyed hashes for grouping without holding the data: the same address gives the same household key.
/// After a key rotation the older keys stay listed, so households that already exist are still found
/// under the key they were created with.
/// </summary>
public interface IPseudonymizer
{
    /// <summary>The HMAC key ids, the active one first.</summary>
    IReadOnlyList<string> KeyIds { get; }

    /// <summary>HMAC over the normalised address (postcode, house number, addition).</summary>
    string HouseholdKey(string keyId, string postcode, int huisnummer, string? toevoeging);

    /// <summary>HMAC over the BSN when known, else over normalised surname, initial and birth date.</summary>
    string PersonKey(string keyId, ClientDetails client);
}
