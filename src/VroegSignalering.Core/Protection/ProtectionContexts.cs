using System.Globalization;
using System.Text.Json;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Protection;

/// <summary>
/// The associated data that binds each kind of ciphertext to the record it belongs to (AES-GCM), in one
/// place: a ciphertext moved to another record, or read as another kind, fails authentication.
/// </summary>
public static class ProtectionContexts
{
    /// <summary>A stored signal's personal data.</summary>
    public static string Signal(string signalId) => "signal|" + signalId;

    /// <summary>A quarantined signal, kept whole for a person to resolve.</summary>
    public static string Quarantine(string signalId) => "quarantine|" + signalId;

    /// <summary>A task's outbound message on its outbox row.</summary>
    public static string Outbox(string taskId) => "outbox|" + taskId;

    /// <summary>One chunk of accepted signals on the signals-intake queue.</summary>
    public static string Chunk(string receiptId, int chunk) => string.Create(CultureInfo.InvariantCulture, $"chunk|{receiptId}|{chunk}");
}

/// <summary>Reads the encrypted parts of stored records back, for the few places that need them in the clear.</summary>
public static class ProtectedReads
{
    /// <summary>The personal data of a stored signal, decrypted: for the task message and the DDAS delivery only.</summary>
    public static ClientDetails ReadPersonal(this IPersonalDataProtector protector, StoredSignal signal) =>
        JsonSerializer.Deserialize(protector.Unprotect(signal.Personal, ProtectionContexts.Signal(signal.SignalId)), CoreJson.Default.ClientDetails)
        ?? throw new JsonException($"signal {signal.SignalId}: its personal data decrypts to nothing");
}
