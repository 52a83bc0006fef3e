using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Core.Protection;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Protection;

/// <summary>
/// Rotating k1 → k2 on real Azurite, as the runbook does it: data under k1 (a stored signal, its outbox
/// row, a quarantined signal, a poisoned intake chunk), then k2 active with k1 kept; retiring k1 is refused
/// while data under it remains; `vroeg keys rewrap` moves it to k2; then k1 retires and, without it,
/// everything still reads through the app's own paths.
/// </summary>
public sealed class KeyRetirementTests
{
    private static readonly Dictionary<string, string> Keys = new(StringComparer.Ordinal)
    {
        ["Encryption:k1"] = NewKey(),
        ["Encryption:k2"] = NewKey(),
        ["Hmac:k1"] = NewKey(),
        ["Hmac:k2"] = NewKey(),
    };

    [Fact]
    public async Task Rotating_k1_to_k2_loses_nothing_and_k1_retires_only_after_a_rewrap()
    {
        var shared = TestEnvironment.Settings();
        string[] isolation = ["Storage:TablePrefix", "SignalsIntakeQueue", "DispatchQueue"];

        // Before: k1 for both rings.
        using (var before = new PipelineApp(Ring(shared, isolation, encryption: ["k1"], hmac: ["k1"])))
        {
            await PostAsync(before, TestSignals.Signal("RET-H-1", "Huur", 900m, huisnummer: 38));
            await PostAsync(before, TestSignals.Signal("RET-Q-1", postcode: TestSignals.UnroutablePostcode, huisnummer: 5));
            await before.RunPipelineAsync();
            await PostAsync(before, TestSignals.Signal("RET-P-1", "Water", 120m, huisnummer: 38), TestEnvironment.WaterKey);
            await PoisonIntakeAsync(before);
        }

        // After: k2 active for both rings, k1 kept.
        using var after = new PipelineApp(Ring(shared, isolation, encryption: ["k2", "k1"], hmac: ["k2", "k1"]));
        await PostAsync(after, TestSignals.Signal("RET-E-1", "Energie", 300m, huisnummer: 38), TestEnvironment.EnergieKey);
        await after.RunPipelineAsync();

        // Old and new data read: triage decrypted both signals into one task; the new signal found the
        // household keyed under HMAC k1, so both sit in one partition.
        var signals = await after.RowsAsync("s|");
        Assert.Equal(["k1", "k2"], signals.Select(s => s.GetString("KeyId")).Order().ToArray());
        Assert.Single(signals.Select(s => s.PartitionKey).Distinct());
        Assert.Equal("k1", signals.Single(s => s.GetString("KeyId") == "k2").GetString("HmacKeyId"));
        Assert.Contains(await after.RowsAsync("t|"), t => t.GetString("Reasons")!.Contains("STAPELING_2", StringComparison.Ordinal));

        string[] rotated = [.. KeySettings(["k2", "k1"], ["k2", "k1"])];
        var usage = await after.RunCliAsync(["keys", "usage", .. rotated]);
        Assert.True(usage.Rc == 0, usage.Error);
        Assert.Matches(@"encryption\s+k1\s+signals\s+1\b", usage.Out);
        Assert.Matches(@"encryption\s+k2\s+signals\s+1\b", usage.Out);
        Assert.Matches(@"encryption\s+k1\s+quarantine\s+1\b", usage.Out);
        Assert.Matches(@"encryption\s+k1\s+intake-poison\s+1\b", usage.Out);
        Assert.Matches(@"hmac\s+k1\s+households\s+1\b", usage.Out);
        Assert.Matches(@"hmac\s+k1\s+signals\s+2\b", usage.Out);
        Assert.DoesNotContain("Zandbergen", usage.Out + usage.Error, StringComparison.Ordinal);

        // Refused while data under k1 remains: exit 3, the counts, and what to do.
        var refused = await after.RunCliAsync(["keys", "retire", "--kind", "encryption", "--key", "k1", .. rotated]);
        Assert.Equal(3, refused.Rc);
        Assert.Contains("refusing to retire encryption key k1: ", refused.Error, StringComparison.Ordinal);
        Assert.Matches(@"\d+ record\(s\) are still encrypted under k1: run 'vroeg keys rewrap --kind encryption --from k1' first \(with --api against Azure\)", refused.Error);
        Assert.Matches(@"encryption\s+k1\s+signals\s+1\b", refused.Out);
        var active = await after.RunCliAsync(["keys", "retire", "--kind", "encryption", "--key", "k2", .. rotated]);
        Assert.Equal(3, active.Rc);
        Assert.Contains("k2 is the active encryption key", active.Error, StringComparison.Ordinal);
        var hmac = await after.RunCliAsync(["keys", "retire", "--kind", "hmac", "--key", "k1", .. rotated]);
        Assert.Equal(3, hmac.Rc);
        Assert.Contains("1 household(s) with 2 signal(s) are still keyed with k1", hmac.Error, StringComparison.Ordinal);

        // Rewrap, twice: the second run finds nothing left (idempotent).
        var rewrap = await after.RunCliAsync(["keys", "rewrap", "--kind", "encryption", "--from", "k1", .. rotated]);
        Assert.True(rewrap.Rc == 0, rewrap.Error);
        Assert.Contains("rewrapped 4 record(s) from k1 to k2", rewrap.Out, StringComparison.Ordinal);
        var again = await after.RunCliAsync(["keys", "rewrap", "--kind", "encryption", "--from", "k1", .. rotated]);
        Assert.True(again.Rc == 0, again.Error);
        Assert.Contains("rewrapped 0 record(s) from k1 to k2", again.Out, StringComparison.Ordinal);

        var retired = await after.RunCliAsync(["keys", "retire", "--kind", "encryption", "--key", "k1", .. rotated]);
        Assert.True(retired.Rc == 0, retired.Error);
        Assert.Contains("  Keys__Encryption__Keys__k1", retired.Out, StringComparison.Ordinal);
        Assert.Contains("azd env set VROEG_ENCRYPTION_KEY_IDS k2", retired.Out, StringComparison.Ordinal);

        // Without encryption key k1 (HMAC k1 stays: its household remains), everything still reads.
        using var final = new PipelineApp(Ring(shared, isolation, encryption: ["k2"], hmac: ["k2", "k1"]));
        Assert.DoesNotContain("k1", final.Services.GetRequiredService<IPersonalDataProtector>().KeyIds);
        var store = final.Services.GetRequiredService<IProtectedDataStore>();
        var protector = final.Services.GetRequiredService<IPersonalDataProtector>();
        var checkedRecords = 0;
        foreach (var holder in store.EncryptedHolders)
        {
            await foreach (var record in store.ScanAsync(holder, withData: true, CancellationToken.None))
            {
                Assert.NotEmpty(protector.Unprotect(record.Payload, record.Context));
                checkedRecords++;
            }
        }

        Assert.Equal(6, checkedRecords); // two signals, two outbox rows (a task per revision), one quarantined signal, one poison chunk

        // The app's own paths: the re-driven poison chunk decrypts and joins the household; triage decrypts
        // all three signals for the next task revision.
        var redrive = await final.RunCliAsync("poison", "redrive", "--queue", final.Names.SignalsIntakeQueue);
        Assert.Equal(0, redrive.Rc);
        await final.RunPipelineAsync();
        var finalSignals = await final.RowsAsync("s|");
        Assert.Equal(3, finalSignals.Count);
        Assert.Single(finalSignals.Select(s => s.PartitionKey).Distinct());
        Assert.Contains(await final.RowsAsync("t|"), t => t.GetString("Reasons")!.Contains("STAPELING_3", StringComparison.Ordinal));
        Assert.All(await final.RowsAsync("o|"), o => Assert.Equal("Dispatched", o.GetString("Status")));
    }

    // Moves the one chunk waiting on the intake queue to its poison queue, as the host does after maxDequeueCount.
    private static async Task PoisonIntakeAsync(PipelineApp app)
    {
        var intake = app.Storage.Queues.GetQueueClient(app.Names.SignalsIntakeQueue);
        var poison = app.Storage.Queues.GetQueueClient(app.Names.SignalsIntakeQueue + "-poison");
        await poison.CreateIfNotExistsAsync();
        var message = Assert.Single((await intake.ReceiveMessagesAsync(32)).Value);
        await poison.SendMessageAsync(message.Body);
        await intake.DeleteMessageAsync(message.MessageId, message.PopReceipt);
    }

    private static Dictionary<string, string?> Ring(Dictionary<string, string?> shared, string[] isolation, string[] encryption, string[] hmac)
    {
        var values = isolation.ToDictionary(k => k, k => shared[k]);
        foreach (var setting in KeySettings(encryption, hmac).Where(a => a != "--set"))
        {
            var at = setting.IndexOf('=', StringComparison.Ordinal);
            values[setting[..at]] = setting[(at + 1)..];
        }

        return values;
    }

    // The rings as `--set` arguments for the CLI; the first id of each is the active one.
    private static IEnumerable<string> KeySettings(string[] encryption, string[] hmac)
    {
        foreach (var (ring, ids) in new[] { ("Encryption", encryption), ("Hmac", hmac) })
        {
            yield return "--set";
            yield return $"Keys:{ring}:ActiveKeyId={ids[0]}";
            foreach (var id in ids)
            {
                yield return "--set";
                yield return $"Keys:{ring}:Keys:{id}={Keys[ring + ":" + id]}";
            }
        }
    }

    private static async Task PostAsync(PipelineApp app, System.Text.Json.Nodes.JsonObject signal, string key = TestEnvironment.HuurKey)
    {
        using var response = await app.PostAsync(key, TestSignals.Array(signal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
