using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Functions.Operations;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Operations;

/// <summary>
/// Key rotation through the operator endpoints on real Azurite, so the keys stay in the app: data under
/// encryption key k1 (a signal, its outbox row, a quarantined signal, a poisoned intake chunk), then k2
/// active with k1 kept. Usage shows the k1 data, retiring k1 is refused, rewrap in batches of 2 reaches
/// zero, and then k1 may retire; the same through `vroeg keys … --api`. Bad input is 400 naming the field.
/// </summary>
public sealed class KeyEndpointsTests : IAsyncLifetime
{
    private const string Api = "http://localhost";
    private static readonly Dictionary<string, string> Keys = new(StringComparer.Ordinal)
    {
        ["Encryption:k1"] = NewKey(),
        ["Encryption:k2"] = NewKey(),
        ["Hmac:k1"] = NewKey(),
    };

    private PipelineApp _app = null!;

    public async Task InitializeAsync()
    {
        var shared = TestEnvironment.Settings();
        string[] isolation = ["Storage:TablePrefix", "SignalsIntakeQueue", "DispatchQueue"];
        using (var before = new PipelineApp(Ring(shared, isolation, "k1")))
        {
            await PostAsync(before, TestSignals.Signal("KEYOPS-H-1", "Huur", 900m, huisnummer: 38));
            await PostAsync(before, TestSignals.Signal("KEYOPS-Q-1", postcode: TestSignals.UnroutablePostcode, huisnummer: 5));
            await before.RunPipelineAsync();
            await PostAsync(before, TestSignals.Signal("KEYOPS-P-1", "Water", 120m, huisnummer: 38), TestEnvironment.WaterKey);
            await PoisonIntakeAsync(before);
        }

        _app = new PipelineApp(Ring(shared, isolation, "k2", "k1"));
    }

    [Fact]
    public async Task Usage_shows_the_k1_data_retire_is_refused_rewrap_in_batches_of_two_reaches_zero_and_then_k1_retires()
    {
        var usage = await SendAsync("GET", "/api/v1/operations/keys/usage");
        Assert.Equal("k2", (string?)usage["encryptionKeyIds"]![0]);
        Assert.Equal(1, Count(usage["counts"]!, "encryption", "k1", "signals"));
        Assert.Equal(1, Count(usage["counts"]!, "encryption", "k1", "outbox"));
        Assert.Equal(1, Count(usage["counts"]!, "encryption", "k1", "quarantine"));
        Assert.Equal(1, Count(usage["counts"]!, "encryption", "k1", "intake-poison"));
        Assert.Equal(1, Count(usage["counts"]!, "hmac", "k1", "households"));
        Assert.DoesNotContain("Zandbergen", usage.ToJsonString(), StringComparison.Ordinal);

        var refused = await SendAsync("GET", "/api/v1/operations/keys/encryption/k1/retire");
        Assert.False(refused["allowed"]!.GetValue<bool>());
        Assert.Contains("4 record(s) are still encrypted under k1", (string?)refused["reason"], StringComparison.Ordinal);
        Assert.Equal(1, Count(refused["remaining"]!, "encryption", "k1", "signals"));
        Assert.Empty(refused["settingsToDrop"]!.AsArray());

        var batches = new List<(long Rewrapped, bool More)>();
        for (var call = 0; call < 5; call++)
        {
            var batch = await SendAsync("POST", "/api/v1/operations/keys/encryption/rewrap?from=k1&max=2");
            Assert.Equal(2, (int)batch["max"]!);
            Assert.Equal("k2", (string?)batch["to"]);
            Assert.Equal(0, (long)batch["failed"]!);
            batches.Add(((long)batch["rewrapped"]!, batch["more"]!.GetValue<bool>()));
            if (!batches[^1].More)
            {
                break;
            }
        }

        Assert.Equal([(2L, true), (2L, false)], batches);
        var again = await SendAsync("POST", "/api/v1/operations/keys/encryption/rewrap?from=k1");
        Assert.Equal(0, (long)again["rewrapped"]!);
        Assert.Equal(RewrapKeys.DefaultMax, (int)again["max"]!);
        Assert.False(again["more"]!.GetValue<bool>());

        var after = await SendAsync("GET", "/api/v1/operations/keys/usage");
        Assert.Equal(0, Count(after["counts"]!, "encryption", "k1", null));
        Assert.Equal(4, Count(after["counts"]!, "encryption", "k2", null));
        var allowed = await SendAsync("GET", "/api/v1/operations/keys/encryption/k1/retire");
        Assert.True(allowed["allowed"]!.GetValue<bool>());
        Assert.Equal(["Keys__Encryption__Keys__k1"], allowed["settingsToDrop"]!.AsArray().Select(s => (string)s!));
        Assert.Equal("encryption-k1", (string?)allowed["secretName"]);
    }

    [Fact]
    public async Task The_cli_with_api_runs_usage_retire_and_a_looping_rewrap_in_the_app_without_any_key_of_its_own()
    {
        string[] credential = ["--api", Api, "--operator-key", TestEnvironment.OperatorKey];

        var usage = await _app.RunCliAsync(["keys", "usage", .. credential]);
        var refused = await _app.RunCliAsync(["keys", "retire", "--kind", "encryption", "--key", "k1", .. credential]);
        var rewrap = await _app.RunCliAsync(["keys", "rewrap", "--kind", "encryption", "--from", "k1", "--batch", "1", .. credential]);
        var retired = await _app.RunCliAsync(["keys", "retire", "--kind", "encryption", "--key", "k1", .. credential]);

        Assert.True(usage.Rc == 0, usage.Error);
        Assert.Matches(@"encryption\s+k1\s+signals\s+1\b", usage.Out);
        Assert.Contains("active keys: encryption k2, hmac k1", usage.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, refused.Rc);
        Assert.Contains("refusing to retire encryption key k1: 4 record(s) are still encrypted under k1", refused.Error, StringComparison.Ordinal);
        Assert.Matches(@"encryption\s+k1\s+quarantine\s+1\b", refused.Out);
        Assert.True(rewrap.Rc == 0, rewrap.Error);
        Assert.Contains("rewrapped 4 record(s) from k1 to k2", rewrap.Out, StringComparison.Ordinal);
        Assert.Contains("call 4, 4 rewrapped so far", rewrap.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("call 5", rewrap.Error, StringComparison.Ordinal);
        Assert.True(retired.Rc == 0, retired.Error);
        Assert.Contains("azd env set VROEG_ENCRYPTION_KEY_IDS k2", retired.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/v1/operations/keys/aes/k1/retire", "kind")]
    [InlineData("GET", "/api/v1/operations/keys/encryption/k_1/retire", "keyId")]
    [InlineData("POST", "/api/v1/operations/keys/rsa/rewrap?from=k1", "kind")]
    [InlineData("POST", "/api/v1/operations/keys/hmac/rewrap?from=k1", "kind")]
    [InlineData("POST", "/api/v1/operations/keys/encryption/rewrap", "from")]
    [InlineData("POST", "/api/v1/operations/keys/encryption/rewrap?from=k9", "from")]
    [InlineData("POST", "/api/v1/operations/keys/encryption/rewrap?from=k1&max=0", "max")]
    [InlineData("POST", "/api/v1/operations/keys/encryption/rewrap?from=k1&max=5001", "max")]
    [InlineData("POST", "/api/v1/operations/keys/encryption/rewrap?from=k1&max=abc", "max")]
    [InlineData("POST", "/api/v1/operations/keys/encryption/rewrap?from=k1&max=-1", "max")]
    public async Task Bad_input_is_400_problem_details_naming_the_field_and_rewraps_nothing(string method, string path, string field)
    {
        using var response = await RawAsync(method, path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]);
        Assert.Equal(4, Count((await SendAsync("GET", "/api/v1/operations/keys/usage"))["counts"]!, "encryption", "k1", null));
    }

    [Fact]
    public async Task The_upper_limit_is_accepted_and_rewrapping_from_the_active_key_is_409()
    {
        using var upper = await RawAsync("POST", "/api/v1/operations/keys/encryption/rewrap?from=k1&max=5000");
        using var active = await RawAsync("POST", "/api/v1/operations/keys/encryption/rewrap?from=k2");

        Assert.Equal(HttpStatusCode.OK, upper.StatusCode);
        Assert.Equal(RewrapKeys.UpperMax, (int)JsonNode.Parse(await upper.Content.ReadAsStringAsync())!["max"]!);
        Assert.Equal(HttpStatusCode.Conflict, active.StatusCode);
        Assert.Contains("k2 is the active encryption key", (string?)JsonNode.Parse(await active.Content.ReadAsStringAsync())!["detail"], StringComparison.Ordinal);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    // Sums the counts of a ring and key id, in one holder or (null) all.
    private static long Count(JsonNode counts, string kind, string keyId, string? holder) => counts.AsArray()
        .Where(c => (string?)c!["kind"] == kind && (string?)c["keyId"] == keyId && (holder is null || (string?)c["holder"] == holder))
        .Sum(c => (long)c!["count"]!);

    private async Task<JsonNode> SendAsync(string method, string path)
    {
        using var response = await RawAsync(method, path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private async Task<HttpResponseMessage> RawAsync(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("X-Api-Key", TestEnvironment.OperatorKey);
        return await _app.Http.SendAsync(request);
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

    // One app's isolation settings with an encryption ring (first id active) and HMAC k1.
    private static Dictionary<string, string?> Ring(Dictionary<string, string?> shared, string[] isolation, params string[] encryption)
    {
        var values = isolation.ToDictionary(k => k, k => shared[k]);
        values["Keys:Encryption:ActiveKeyId"] = encryption[0];
        foreach (var id in encryption)
        {
            values["Keys:Encryption:Keys:" + id] = Keys["Encryption:" + id];
        }

        values["Keys:Hmac:ActiveKeyId"] = "k1";
        values["Keys:Hmac:Keys:k1"] = Keys["Hmac:k1"];
        return values;
    }

    private static async Task PostAsync(PipelineApp app, JsonObject signal, string key = TestEnvironment.HuurKey)
    {
        using var response = await app.PostAsync(key, TestSignals.Array(signal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
