using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Tests.Households;

namespace VroegSignalering.Core.Tests.Protection;

/// <summary>The rules of <see cref="KeyRotation"/> over an in-memory store; the Azurite run is KeyRetirementTests.</summary>
public sealed class KeyRotationTests
{
    [Fact]
    public async Task A_signal_stored_before_hmac_key_ids_were_recorded_counts_under_the_key_its_household_key_was_made_with()
    {
        var pseudonymizer = new FakePseudonymizer("k2", "k1");
        var protector = new FakeProtector("e1");
        var client = new ClientDetails(null, "Q.", null, "Testdata", new DateOnly(1980, 1, 1), null, "1011AB", 38, null, null, null, null);
        var legacy = HouseholdData.Signal("s-1") with { Personal = protector.Protect(JsonSerializer.SerializeToUtf8Bytes(client, CoreJson.Default.ClientDetails), ProtectionContexts.Signal("s-1")) };
        var store = new FakeStore { Signals = { (pseudonymizer.HouseholdKey("k1", "1011AB", 38, null), legacy) } };

        var decision = await new KeyRotation(store, protector, pseudonymizer).CheckRetireAsync(KeyKind.Hmac, "k1", null, CancellationToken.None);

        Assert.False(decision.Allowed);
        Assert.Equal([new KeyUsageCount(KeyKind.Hmac, DataHolders.Households, "k1", 1), new KeyUsageCount(KeyKind.Hmac, DataHolders.Signals, "k1", 1)], decision.Remaining);
    }

    [Fact]
    public async Task A_record_changed_while_being_rewrapped_is_left_as_it_was_and_reported_for_another_run()
    {
        var protector = new FakeProtector("k2", "k1");
        var stale = new ProtectedRecord(DataHolders.Outbox, "o-1", "outbox|t-1", new FakeProtector("k1").Protect([1, 2, 3], "outbox|t-1"), "etag-old");
        var store = new FakeStore { Encrypted = { stale }, ReplaceSucceeds = false };

        var summary = await new KeyRotation(store, protector, new FakePseudonymizer("h1")).RewrapAsync("k1", null, CancellationToken.None);

        Assert.Equal((1L, 0L, 1L, 0L), (summary.Scanned, summary.Rewrapped, summary.Changed, summary.Failed));
        Assert.False(summary.Complete);
        Assert.Equal("k1", Assert.Single(store.Encrypted).Payload.KeyId);
    }

    [Fact]
    public async Task The_active_key_is_never_retired_and_never_rewrapped_from()
    {
        var rotation = new KeyRotation(new FakeStore(), new FakeProtector("k2", "k1"), new FakePseudonymizer("h1"));

        var decision = await rotation.CheckRetireAsync(KeyKind.Encryption, "k2", null, CancellationToken.None);

        Assert.False(decision.Allowed);
        Assert.Contains("k2 is the active encryption key", decision.Reason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => rotation.RewrapAsync("k2", null, CancellationToken.None));
    }

    [Fact]
    public async Task Intake_messages_a_peek_cannot_reach_block_retiring_any_encryption_key()
    {
        var store = new FakeStore { Uninspected = 40 };

        var decision = await new KeyRotation(store, new FakeProtector("k2", "k1"), new FakePseudonymizer("h1")).CheckRetireAsync(KeyKind.Encryption, "k1", null, CancellationToken.None);

        Assert.False(decision.Allowed);
        Assert.Equal(new KeyUsageCount(KeyKind.Encryption, DataHolders.IntakeQueue, KeyUsageReport.Undetermined, 40), Assert.Single(decision.Remaining));
    }

    // No cryptography: the key id travels with the bytes, and an unlisted key id fails as AES-GCM would.
    private sealed class FakeProtector(params string[] keyIds) : IPersonalDataProtector
    {
        public IReadOnlyList<string> KeyIds => keyIds;

        public ProtectedPayload Protect(ReadOnlySpan<byte> plaintext, string context) => new(keyIds[0], plaintext.ToArray());

        public byte[] Unprotect(ProtectedPayload payload, string context) =>
            keyIds.Contains(payload.KeyId) ? payload.Data : throw new CryptographicException($"no key with id '{payload.KeyId}'");
    }

    private sealed class FakePseudonymizer(params string[] keyIds) : IPseudonymizer
    {
        public IReadOnlyList<string> KeyIds => keyIds;

        public string HouseholdKey(string keyId, string postcode, int huisnummer, string? toevoeging) => $"{keyId}:{postcode}:{huisnummer}:{toevoeging}";

        public string PersonKey(string keyId, ClientDetails client) => $"{keyId}:{client.Achternaam}";
    }

    private sealed class FakeStore : IProtectedDataStore
    {
        public List<ProtectedRecord> Encrypted { get; } = [];

        public List<(string HouseholdKey, StoredSignal Signal)> Signals { get; } = [];

        public bool ReplaceSucceeds { get; init; } = true;

        public long Uninspected { get; init; }

        public IReadOnlyList<string> EncryptedHolders { get; } = [DataHolders.Signals, DataHolders.Outbox, DataHolders.IntakeQueue];

        public async IAsyncEnumerable<ProtectedRecord> ScanAsync(string holder, bool withData, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            foreach (var r in Encrypted.Where(r => r.Holder == holder).ToList())
            {
                yield return r;
            }
        }

        public Task<long> CountUninspectedAsync(string holder, CancellationToken cancellationToken) =>
            Task.FromResult(holder == DataHolders.IntakeQueue ? Uninspected : 0);

        public Task<bool> ReplaceAsync(ProtectedRecord record, ProtectedPayload replacement, CancellationToken cancellationToken)
        {
            if (ReplaceSucceeds)
            {
                Encrypted[Encrypted.IndexOf(record)] = record with { Payload = replacement };
            }

            return Task.FromResult(ReplaceSucceeds);
        }

        public async IAsyncEnumerable<(string HouseholdKey, StoredSignal Signal)> ScanSignalsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            foreach (var s in Signals)
            {
                yield return s;
            }
        }
    }
}
