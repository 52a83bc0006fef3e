using System.Security.Cryptography;
using System.Text.Json;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Protection;

/// <summary>The two key rings: AES-GCM for personal data at rest, HMAC for the keys that group households and persons.</summary>
public enum KeyKind
{
    Encryption,
    Hmac,
}

/// <summary>The places that keep data made under a key, as the key tools name them.</summary>
public static class DataHolders
{
    /// <summary>Stored signals: their personal data (encryption) and their household and person keys (HMAC).</summary>
    public const string Signals = "signals";

    /// <summary>Household partitions, whose partition key is an HMAC of the address.</summary>
    public const string Households = "households";

    /// <summary>Quarantined signals, kept whole and encrypted.</summary>
    public const string Quarantine = "quarantine";

    /// <summary>Outbox rows: the encrypted task message.</summary>
    public const string Outbox = "outbox";

    /// <summary>Chunks of accepted signals on the signals-intake queue.</summary>
    public const string IntakeQueue = "intake-queue";

    /// <summary>Chunks the queue trigger gave up on (signals-intake-poison).</summary>
    public const string IntakePoison = "intake-poison";
}

/// <summary>How many records of one holder were made under one key.</summary>
public sealed record KeyUsageCount(KeyKind Kind, string Holder, string KeyId, long Count);

/// <summary>Counts of data per key; no personal data, only holder names, key ids and numbers.</summary>
public sealed record KeyUsageReport(IReadOnlyList<KeyUsageCount> Counts)
{
    /// <summary>Data whose key could not be told (a queue message beyond what can be inspected, a household that does not decrypt): it may need any key.</summary>
    public const string Undetermined = "?";

    /// <summary>Households made under an HMAC key that is no longer configured: they need none of the configured keys.</summary>
    public const string Unconfigured = "(unconfigured)";

    /// <summary>What holds data made under this key (or whose key could not be told).</summary>
    public IReadOnlyList<KeyUsageCount> Blocking(KeyKind kind, string keyId) =>
        Counts.Where(c => c.Kind == kind && c.Count > 0 && (c.KeyId == keyId || c.KeyId == Undetermined)).ToList();
}

/// <summary>A record that keeps ciphertext at rest, as the adapter found it.</summary>
/// <param name="Holder">One of <see cref="DataHolders"/>.</param>
/// <param name="Id">The record's id within its holder (for messages only; never personal data).</param>
/// <param name="Context">The associated data its ciphertext is bound to (<see cref="ProtectionContexts"/>).</param>
/// <param name="Payload">The ciphertext and its key id; <c>Data</c> is empty when the scan was for counting only.</param>
/// <param name="Version">The version to replace it at (ETag, pop receipt); null when it cannot be replaced.</param>
public sealed record ProtectedRecord(string Holder, string Id, string Context, ProtectedPayload Payload, string? Version);

/// <summary>The stores that keep encrypted data, scanned and rewritten by key maintenance.</summary>
public interface IProtectedDataStore
{
    /// <summary>The holders of ciphertext, in the order they are scanned.</summary>
    IReadOnlyList<string> EncryptedHolders { get; }

    /// <summary>Every record of a holder; with <paramref name="withData"/> false only key ids are read.</summary>
    IAsyncEnumerable<ProtectedRecord> ScanAsync(string holder, bool withData, CancellationToken cancellationToken);

    /// <summary>Records of a holder the scan could not show (messages beyond a queue's peek window).</summary>
    Task<long> CountUninspectedAsync(string holder, CancellationToken cancellationToken);

    /// <summary>Replaces a record's ciphertext if it is still at the version read; false when another writer came first or it is gone.</summary>
    Task<bool> ReplaceAsync(ProtectedRecord record, ProtectedPayload replacement, CancellationToken cancellationToken);

    /// <summary>Every stored signal with its household key (a full scan).</summary>
    IAsyncEnumerable<(string HouseholdKey, StoredSignal Signal)> ScanSignalsAsync(CancellationToken cancellationToken);
}

/// <summary>Where a scan is: the holder and how many records it has seen and rewritten so far.</summary>
public sealed record KeyScanProgress(string Holder, long Scanned, long Rewrapped);

/// <summary>Whether a key may be dropped from configuration, and if so what to drop.</summary>
public sealed record RetireDecision(
    KeyKind Kind,
    string KeyId,
    bool Allowed,
    string Reason,
    IReadOnlyList<KeyUsageCount> Remaining,
    IReadOnlyList<string> SettingsToDrop,
    string SecretName,
    IReadOnlyList<string> KeyIdsToKeep);

/// <summary>
/// What a rewrap did. <see cref="Changed"/> records were rewritten by someone else meanwhile: run it again.
/// <see cref="LimitReached"/>: the pass stopped at its limit with records under the old key still ahead.
/// </summary>
public sealed record RewrapSummary(string FromKeyId, string ToKeyId, long Scanned, long Rewrapped, long Changed, long Failed, long Uninspected, bool LimitReached = false)
{
    /// <summary>True when nothing under the old key is known to remain from this pass.</summary>
    public bool Complete => Changed == 0 && Failed == 0 && Uninspected == 0 && !LimitReached;

    /// <summary>True when another pass would find records it can rewrap: the limit stopped this one, or a record changed meanwhile.</summary>
    public bool More => LimitReached || Changed > 0;
}

/// <summary>
/// Key rotation without loss: counts the data each key still protects, refuses to retire a key that data
/// needs, and re-encrypts stored records under the active key so an old encryption key can go. HMAC keys
/// cannot be rewrapped: a household's partition key is the HMAC itself, so data under an old HMAC key
/// goes only when the household does (retention). Runs wherever the keys are (the app's identity).
/// </summary>
public sealed class KeyRotation(IProtectedDataStore store, IPersonalDataProtector protector, IPseudonymizer pseudonymizer)
{
    /// <summary>Data per key id and holder, for both key rings.</summary>
    public async Task<KeyUsageReport> UsageAsync(IProgress<KeyScanProgress>? progress, CancellationToken cancellationToken)
    {
        var counts = new List<KeyUsageCount>();
        counts.AddRange(await EncryptionUsageAsync(progress, cancellationToken));
        counts.AddRange(await HmacUsageAsync(progress, cancellationToken));
        return new KeyUsageReport(counts);
    }

    /// <summary>Refuses while data under the key remains (or the key is active); otherwise says what to drop.</summary>
    public async Task<RetireDecision> CheckRetireAsync(KeyKind kind, string keyId, IProgress<KeyScanProgress>? progress, CancellationToken cancellationToken)
    {
        var configured = kind == KeyKind.Encryption ? protector.KeyIds : pseudonymizer.KeyIds;
        var name = kind == KeyKind.Encryption ? "encryption" : "HMAC";
        var settingKind = kind == KeyKind.Encryption ? "Encryption" : "Hmac";
        var secret = (kind == KeyKind.Encryption ? "encryption-" : "hmac-") + keyId;
        var keep = configured.Where(k => k != keyId).ToList();
        if (configured.Count > 0 && configured[0] == keyId)
        {
            return new RetireDecision(kind, keyId, false, $"{keyId} is the active {name} key: make another key active first", [], [], secret, configured);
        }

        var usage = kind == KeyKind.Encryption
            ? await EncryptionUsageAsync(progress, cancellationToken)
            : await HmacUsageAsync(progress, cancellationToken);
        var remaining = new KeyUsageReport(usage).Blocking(kind, keyId);
        if (remaining.Count > 0)
        {
            var total = remaining.Where(c => c.KeyId == keyId).Sum(c => c.Count);
            var undetermined = remaining.Where(c => c.KeyId == KeyUsageReport.Undetermined).Sum(c => c.Count);
            var reason = kind == KeyKind.Encryption
                ? $"{total} record(s) are still encrypted under {keyId}" + (undetermined > 0 ? $", and {undetermined} whose key could not be told (wait until the intake queue drains)" : string.Empty)
                    + $": run 'vroeg keys rewrap --kind encryption --from {keyId}' first (with --api against Azure)"
                : $"{Count(remaining, DataHolders.Households, keyId)} household(s) with {Count(remaining, DataHolders.Signals, keyId)} signal(s) are still keyed with {keyId}"
                    + (undetermined > 0 ? $", and {Count(remaining, DataHolders.Households, KeyUsageReport.Undetermined)} household(s) whose key could not be told" : string.Empty)
                    + ": new signals for those addresses are found only under it, so it stays until retention removes them (HMAC keys cannot be rewrapped)";
            return new RetireDecision(kind, keyId, false, reason, remaining, [], secret, configured);
        }

        return new RetireDecision(kind, keyId, true, $"no data needs {name} key {keyId}", [], [$"Keys__{settingKind}__Keys__{keyId}"], secret, keep);
    }

    private static long Count(IEnumerable<KeyUsageCount> counts, string holder, string keyId) =>
        counts.Where(c => c.Holder == holder && c.KeyId == keyId).Sum(c => c.Count);

    /// <summary>
    /// Re-encrypts every stored record under <paramref name="fromKeyId"/> with the active key. Idempotent and
    /// resumable (a second run finds only what the first left); each write is checked against the version
    /// read, so a record changed meanwhile is left for the next run, never overwritten.
    /// </summary>
    public Task<RewrapSummary> RewrapAsync(string fromKeyId, IProgress<KeyScanProgress>? progress, CancellationToken cancellationToken) =>
        RewrapAsync(fromKeyId, null, progress, cancellationToken);

    /// <summary>
    /// The same, writing at most <paramref name="limit"/> records (rewritten, or found changed meanwhile) so
    /// one pass fits in a bounded time; records that do not decrypt cost no write and do not count. Past the
    /// limit the scan reads on, without decrypting, only until it meets one more record it would rewrite
    /// (<see cref="RewrapSummary.LimitReached"/>), so a last batch that takes exactly the rest says so.
    /// Each pass starts from the beginning: what earlier passes rewrapped is no longer under the old key.
    /// </summary>
    public async Task<RewrapSummary> RewrapAsync(string fromKeyId, int? limit, IProgress<KeyScanProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit ?? 1, 1, nameof(limit));
        var active = protector.KeyIds[0];
        if (fromKeyId == active)
        {
            throw new InvalidOperationException($"{fromKeyId} is the active encryption key: make another key active first, then rewrap from {fromKeyId}");
        }

        long scanned = 0, rewrapped = 0, changed = 0, failed = 0, uninspected = 0;
        foreach (var holder in store.EncryptedHolders)
        {
            await foreach (var record in store.ScanAsync(holder, withData: true, cancellationToken))
            {
                scanned++;
                if (record.Payload.KeyId == fromKeyId && record.Version is not null && rewrapped + changed >= limit)
                {
                    // Leaving the scan early releases what it holds (the poison queue's messages).
                    return new RewrapSummary(fromKeyId, active, scanned - 1, rewrapped, changed, failed, uninspected, LimitReached: true);
                }

                if (record.Payload.KeyId == fromKeyId)
                {
                    if (record.Version is null)
                    {
                        uninspected++;
                    }
                    else if (!TryRewrap(record, out var replacement))
                    {
                        failed++;
                    }
                    else if (await store.ReplaceAsync(record, replacement, cancellationToken))
                    {
                        rewrapped++;
                    }
                    else
                    {
                        changed++;
                    }
                }

                progress?.Report(new KeyScanProgress(holder, scanned, rewrapped));
            }

            uninspected += await store.CountUninspectedAsync(holder, cancellationToken);
        }

        return new RewrapSummary(fromKeyId, active, scanned, rewrapped, changed, failed, uninspected);
    }

    // A ciphertext that does not decrypt (tampered, or its key missing) is left as it is and counted.
    private bool TryRewrap(ProtectedRecord record, out ProtectedPayload replacement)
    {
        try
        {
            replacement = protector.Protect(protector.Unprotect(record.Payload, record.Context), record.Context);
            return true;
        }
        catch (CryptographicException)
        {
            replacement = record.Payload;
            return false;
        }
    }

    private async Task<List<KeyUsageCount>> EncryptionUsageAsync(IProgress<KeyScanProgress>? progress, CancellationToken cancellationToken)
    {
        var counts = new List<KeyUsageCount>();
        long scanned = 0;
        foreach (var holder in store.EncryptedHolders)
        {
            var perKey = new Dictionary<string, long>(StringComparer.Ordinal);
            await foreach (var record in store.ScanAsync(holder, withData: false, cancellationToken))
            {
                perKey[record.Payload.KeyId] = perKey.GetValueOrDefault(record.Payload.KeyId) + 1;
                progress?.Report(new KeyScanProgress(holder, ++scanned, 0));
            }

            if (await store.CountUninspectedAsync(holder, cancellationToken) is > 0 and var unseen)
            {
                perKey[KeyUsageReport.Undetermined] = unseen;
            }

            counts.AddRange(perKey.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new KeyUsageCount(KeyKind.Encryption, holder, p.Key, p.Value)));
        }

        return counts;
    }

    // Signals record the HMAC key they were keyed with; older rows do not, and are attributed by recomputing
    // the household key from their decrypted address under each configured key (once per household).
    private async Task<List<KeyUsageCount>> HmacUsageAsync(IProgress<KeyScanProgress>? progress, CancellationToken cancellationToken)
    {
        var households = new Dictionary<string, string>(StringComparer.Ordinal);
        var signals = new Dictionary<string, long>(StringComparer.Ordinal);
        long scanned = 0;
        await foreach (var (householdKey, signal) in store.ScanSignalsAsync(cancellationToken))
        {
            if (!households.TryGetValue(householdKey, out var keyId))
            {
                keyId = signal.HmacKeyId ?? Attribute(householdKey, signal);
                households[householdKey] = keyId;
            }

            signals[keyId] = signals.GetValueOrDefault(keyId) + 1;
            progress?.Report(new KeyScanProgress(DataHolders.Signals, ++scanned, 0));
        }

        return
        [
            .. households.GroupBy(h => h.Value, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new KeyUsageCount(KeyKind.Hmac, DataHolders.Households, g.Key, g.Count())),
            .. signals.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new KeyUsageCount(KeyKind.Hmac, DataHolders.Signals, p.Key, p.Value)),
        ];
    }

    private string Attribute(string householdKey, StoredSignal signal)
    {
        ClientDetails client;
        try
        {
            client = protector.ReadPersonal(signal);
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            return KeyUsageReport.Undetermined;
        }

        foreach (var keyId in pseudonymizer.KeyIds)
        {
            if (pseudonymizer.HouseholdKey(keyId, client.Postcode, client.Huisnummer, client.Huisnummertoevoeging) == householdKey)
            {
                return keyId;
            }
        }

        return KeyUsageReport.Unconfigured;
    }
}
