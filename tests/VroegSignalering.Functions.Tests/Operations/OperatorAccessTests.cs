using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Operations;

/// <summary>
/// Who may call the operator endpoints, on the app's local host: no credential 401, a creditor's key or token
/// 403, an operator's key or Entra token (app role Operations.Run) 200; and an operator's credential is 403 on
/// the creditors' endpoints.
/// </summary>
public sealed class OperatorAccessTests : IDisposable
{
    // A second, older encryption key, so a rewrap has a key to rewrap from.
    private readonly PipelineApp _app = new(
        new Dictionary<string, string?> { ["Keys:Encryption:Keys:t0"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) },
        services: TestTokens.TrustTestTokens);

    public static TheoryData<string, string> OperatorEndpoints => new()
    {
        { "POST", "/api/v1/operations/outbox/retry" },
        { "GET", "/api/v1/operations/ddas/0363/2026-11" },
        { "GET", "/api/v1/operations/keys/usage" },
        { "GET", "/api/v1/operations/keys/encryption/t0/retire" },
        { "POST", "/api/v1/operations/keys/encryption/rewrap?from=t0&max=10" },
        { "GET", "/api/v1/operations/storage-requests" },
    };

    [Theory]
    [MemberData(nameof(OperatorEndpoints))]
    public async Task Without_a_credential_an_operator_endpoint_is_401_with_problem_details_naming_the_operator_role(string method, string path)
    {
        using var response = await SendAsync(method, path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Contains("Operations.Run", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OperatorEndpoints))]
    public async Task A_creditors_key_or_token_is_403_on_an_operator_endpoint(string method, string path)
    {
        using var byKey = await SendAsync(method, path, apiKey: TestEnvironment.HuurKey);
        using var byToken = await SendAsync(method, path, token: TestTokens.Create(TestEnvironment.HuurEntraAppId, "Signals.Submit"));
        using var noRole = await SendAsync(method, path, token: TestTokens.Create(TestEnvironment.HuurEntraAppId));

        Assert.Equal(HttpStatusCode.Forbidden, byKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode);
        Assert.Equal("application/problem+json", byToken.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Operations.Run", (string?)JsonNode.Parse(await byKey.Content.ReadAsStringAsync())!["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OperatorEndpoints))]
    public async Task An_operators_local_key_or_entra_token_with_the_operations_run_role_is_200(string method, string path)
    {
        using var byKey = await SendAsync(method, path, apiKey: TestEnvironment.OperatorKey);
        using var byToken = await SendAsync(method, path, token: TestTokens.Create("22222222-2222-2222-2222-222222222222", "Operations.Run"));

        Assert.Equal(HttpStatusCode.OK, byKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byToken.StatusCode);
    }

    [Fact]
    public async Task An_operators_key_or_token_is_403_on_the_creditors_endpoints()
    {
        var signals = TestSignals.Array(TestSignals.Signal("OPS-1"));

        using var postByKey = await SendAsync("POST", "/api/v1/signals", apiKey: TestEnvironment.OperatorKey, body: signals);
        using var postByToken = await SendAsync("POST", "/api/v1/signals", token: TestTokens.Create(TestEnvironment.HuurEntraAppId, "Operations.Run"), body: signals);
        using var status = await SendAsync("GET", "/api/v1/intake/r-none", apiKey: TestEnvironment.OperatorKey);

        Assert.Equal(HttpStatusCode.Forbidden, postByKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, postByToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
        Assert.Contains("Signals.Submit", (string?)JsonNode.Parse(await postByKey.Content.ReadAsStringAsync())!["detail"], StringComparison.Ordinal);
        Assert.False(await _app.TableExistsAsync(_app.Names.SignalReferences), "no signal reference may have been written");
    }

    [Fact]
    public async Task An_operator_key_is_refused_when_no_operators_file_is_configured_as_in_azure()
    {
        using var app = new PipelineApp(new Dictionary<string, string?> { ["Operators:File"] = null });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/operations/outbox/retry");
        request.Headers.Add("X-Api-Key", TestEnvironment.OperatorKey);

        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public void Dispose() => _app.Dispose();

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? apiKey = null, string? token = null, string? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _app.Http.SendAsync(request);
    }
}
