using System.Net;
using System.Security.Cryptography;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Protection;

/// <summary>
/// Rotating the encryption and HMAC keys on real Azurite: data protected with the old key stays readable,
/// new data uses the new key, and a household created before the rotation keeps its partition.
/// </summary>
public sealed class KeyRotationTests
{
    private static readonly string Encryption1 = NewKey();
    private static readonly string Encryption2 = NewKey();
    private static readonly string Hmac1 = NewKey();
    private static readonly string Hmac2 = NewKey();

    [Fact]
    public async Task After_rotating_both_keys_old_data_stays_readable_and_a_known_household_keeps_combining()
    {
        var shared = TestEnvironment.Settings();
        string[] isolation = ["Storage:TablePrefix", "SignalsIntakeQueue", "DispatchQueue"];

        using (var before = new PipelineApp(Overrides(shared, isolation, encryption: ["k1"], hmac: ["h1"])))
        {
            await PostAsync(before, TestSignals.Signal("ROT-H-1", "Huur", 900m, huisnummer: 39));
            await before.ProcessAllAsync();
            Assert.All(await before.RowsAsync("s|"), s => Assert.Equal("k1", s.GetString("KeyId")));
        }

        using var after = new PipelineApp(Overrides(shared, isolation, encryption: ["k2", "k1"], hmac: ["h2", "h1"]));
        await PostAsync(after, TestSignals.Signal("ROT-E-1", "Energie", 300m, huisnummer: 39), TestEnvironment.EnergieKey);
        await after.RunPipelineAsync();

        var signals = await after.RowsAsync("s|");
        Assert.Equal(2, signals.Count);
        Assert.Single(signals.Select(s => s.PartitionKey).Distinct());
        Assert.Equal(["k1", "k2"], signals.Select(s => s.GetString("KeyId")).Order().ToArray());

        // Triage decrypted both signals to build the task: one case, both creditors in one task.
        var task = Assert.Single(await after.RowsAsync("t|"));
        Assert.Contains("STAPELING_2", task.GetString("Reasons"), StringComparison.Ordinal);
        Assert.Equal("Dispatched", Assert.Single(await after.RowsAsync("o|")).GetString("Status"));
    }

    private static Dictionary<string, string?> Overrides(Dictionary<string, string?> shared, string[] isolation, string[] encryption, string[] hmac)
    {
        var values = isolation.ToDictionary(k => k, k => shared[k]);
        values["Keys:Encryption:ActiveKeyId"] = encryption[0];
        values["Keys:Hmac:ActiveKeyId"] = hmac[0];
        foreach (var id in encryption)
        {
            values[$"Keys:Encryption:Keys:{id}"] = id == "k1" ? Encryption1 : Encryption2;
        }

        foreach (var id in hmac)
        {
            values[$"Keys:Hmac:Keys:{id}"] = id == "h1" ? Hmac1 : Hmac2;
        }

        // TestEnvironment's own random keys carry other ids; these replace the active choice.
        return values;
    }

    private static async Task PostAsync(PipelineApp app, System.Text.Json.Nodes.JsonObject signal, string key = TestEnvironment.HuurKey)
    {
        using var response = await app.PostAsync(key, TestSignals.Array(signal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
