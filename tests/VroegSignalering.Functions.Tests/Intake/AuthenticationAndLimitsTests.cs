using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using VroegSignalering.Functions.Tests.Operations;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Intake;

/// <summary>Who may post and read receipts, and every intake limit, on the real app.</summary>
public sealed class AuthenticationAndLimitsTests : IDisposable
{
    private const string Issuer = TestTokens.Issuer;
    private const string Audience = TestTokens.Audience;

    private readonly PipelineApp _app = new(
        new Dictionary<string, string?>
        {
            ["Intake:MaxRowsPerRequest"] = "3",
            ["Intake:MaxBodyBytes"] = "20000",
            ["Intake:RequestsPerMinute"] = "6000",
            ["Intake:RequestBurst"] = "1000",
        },
        services: TestTokens.TrustTestTokens);

    [Fact]
    public async Task A_request_without_a_credential_is_401_with_problem_details()
    {
        using var response = await _app.PostAsync(null, Encoding.UTF8.GetBytes(TestSignals.Array(TestSignals.Signal("A-1"))), "application/json");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");
    }

    [Fact]
    public async Task A_wrong_api_key_is_401()
    {
        using var response = await _app.PostAsync("not-a-key", TestSignals.Array(TestSignals.Signal("A-2")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("https://vroegsignalering.example/problems/unauthenticated", (string?)problem["type"]);
        Assert.Equal("Authentication required", (string?)problem["title"]);
        Assert.Equal(401, (int)problem["status"]!);
        Assert.Empty(problem["errors"]!.AsArray());
    }

    [Fact]
    public async Task Either_of_two_active_keys_of_a_creditor_works_during_rotation()
    {
        using var current = await _app.PostAsync(TestEnvironment.EnergieKey, TestSignals.Array(TestSignals.Signal("ROT-1", partnerType: "Energie", huisnummer: 20)));
        using var old = await _app.PostAsync("test-key-energie-old", TestSignals.Array(TestSignals.Signal("ROT-2", partnerType: "Energie", huisnummer: 21)));

        Assert.Equal(HttpStatusCode.Accepted, current.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, old.StatusCode);
    }

    [Fact]
    public async Task A_receipt_of_one_creditor_is_404_for_another_and_200_for_its_own()
    {
        using var posted = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("OWN-1", huisnummer: 22)));
        var receiptId = (string)JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["receiptId"]!;

        Assert.Equal(HttpStatusCode.OK, (await GetStatusAsync(receiptId, TestEnvironment.HuurKey)).StatusCode);
        using var other = await GetStatusAsync(receiptId, TestEnvironment.WaterKey);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetStatusAsync("r-doesnotexist", TestEnvironment.HuurKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetStatusAsync(receiptId, null)).StatusCode);
    }

    [Fact]
    public async Task An_entra_token_with_the_app_role_of_a_registered_app_may_post_as_that_creditor()
    {
        using var response = await PostWithTokenAsync(Token(TestEnvironment.HuurEntraAppId, roles: ["Signals.Submit"]), TestSignals.Array(TestSignals.Signal("JWT-1", huisnummer: 23)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task An_entra_token_without_the_app_role_is_403()
    {
        using var response = await PostWithTokenAsync(Token(TestEnvironment.HuurEntraAppId, roles: []), TestSignals.Array(TestSignals.Signal("JWT-2")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task An_entra_token_of_an_app_no_creditor_is_registered_for_is_403()
    {
        using var response = await PostWithTokenAsync(Token("99999999-9999-9999-9999-999999999999", roles: ["Signals.Submit"]), TestSignals.Array(TestSignals.Signal("JWT-3")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401()
    {
        var handler = new JsonWebTokenHandler();
        var forged = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object> { ["azp"] = TestEnvironment.HuurEntraAppId, ["roles"] = new[] { "Signals.Submit" } },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes("another-signing-key-of-32-bytes-or-more")), SecurityAlgorithms.HmacSha256),
        });

        using var response = await PostWithTokenAsync(forged, TestSignals.Array(TestSignals.Signal("JWT-4")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task More_rows_than_a_request_may_carry_is_413_and_changes_nothing()
    {
        var body = TestSignals.Array(Enumerable.Range(1, 4).Select(i => TestSignals.Signal($"MANY-{i}", huisnummer: i)).ToArray());

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request.too_many_rows", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["code"]);
        Assert.False(await _app.TableExistsAsync(_app.Names.SignalReferences), "no signal reference may have been written");
    }

    [Fact]
    public async Task A_body_over_the_byte_limit_is_413_and_changes_nothing()
    {
        var big = Encoding.UTF8.GetBytes("[" + new string(' ', 20001) + "]");

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, big, "application/json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(await _app.TableExistsAsync(_app.Names.SignalReferences), "no signal reference may have been written");
    }

    [Fact]
    public async Task A_field_over_its_length_limit_is_a_400_row_error_naming_the_field_and_changes_nothing()
    {
        var signal = TestSignals.Signal("LONG-1");
        signal["client"]!["achternaam"] = new string('a', 121);

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(signal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("https://vroegsignalering.example/problems/invalid-request", (string?)problem["type"]);
        Assert.Equal("Invalid signals", (string?)problem["title"]);
        Assert.Equal(400, (int)problem["status"]!);
        Assert.Equal("No row of the request was accepted. See errors.", (string?)problem["detail"]);
        Assert.Equal("/api/v1/signals", (string?)problem["instance"]);
        Assert.Equal(0, (int)problem["accepted"]!);
        Assert.Equal(1, (int)problem["rejected"]!);
        Assert.Null(problem["receiptId"]);
        var error = Assert.Single(problem["errors"]!.AsArray())!;
        Assert.Equal(1, (int)error["row"]!);
        Assert.Equal("LONG-1", (string?)error["signaalReferentie"]);
        Assert.Equal("client.achternaam", (string?)error["field"]);
        Assert.Equal("field.too_long", (string?)error["code"]);
        Assert.Equal("client.achternaam is longer than 120 characters", (string?)error["message"]);
        Assert.False(await _app.TableExistsAsync(_app.Names.SignalReferences), "no signal reference may have been written");
        Assert.Equal(0, await _app.ProcessAllAsync());
    }

    public void Dispose() => _app.Dispose();

    private static string Token(string appId, string[] roles) => TestTokens.Create(appId, roles);

    private async Task<HttpResponseMessage> PostWithTokenAsync(string token, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/signals") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await _app.Http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> GetStatusAsync(string receiptId, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/intake/{receiptId}");
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return await _app.Http.SendAsync(request);
    }
}

/// <summary>The per-creditor rate limit, in its own app so its tiny limit bothers no other test.</summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly PipelineApp _app = new(new Dictionary<string, string?> { ["Intake:RequestsPerMinute"] = "1", ["Intake:RequestBurst"] = "2" });

    [Fact]
    public async Task A_creditor_over_its_rate_limit_gets_429_with_retry_after_while_another_creditor_is_unaffected()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var r = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal($"RL-{i}", huisnummer: 30 + i)));
            statuses.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After must tell when to come back");
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
        using var other = await _app.PostAsync(TestEnvironment.WaterKey, TestSignals.Array(TestSignals.Signal("RL-W", partnerType: "Water", huisnummer: 35)));
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    public void Dispose() => _app.Dispose();
}
