using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Functions.Security;
using VroegSignalering.LocalHost;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Security;

/// <summary>
/// Every HTTP function the host runs (functions.metadata) keeps what its class declares: nothing enforces
/// the gate call but these tests, so a function that forgets it, or declares one thing and does another,
/// fails here. And a function starts with an anonymous user, as under the worker in Azure.
/// </summary>
public sealed partial class GateCoverageTests
{
    [Fact]
    public async Task Every_function_that_needs_a_caller_refuses_a_request_without_a_credential_and_no_anonymous_one_does()
    {
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["Health:TimeoutSeconds"] = "30" });
        using var client = app.CreateClient();

        var checkedFunctions = 0;
        foreach (var (function, method, path) in Requests(app))
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

            var needsCaller = ApiGate.AccessOf(function.Function.Method.DeclaringType!).Caller != ApiCaller.Anonymous;
            Assert.True(needsCaller == (response.StatusCode == HttpStatusCode.Unauthorized), $"{function.Name}: {method} {path} without a credential answered {(int)response.StatusCode}");
            checkedFunctions++;
        }

        Assert.Equal(18, checkedFunctions);
    }

    [Theory]
    [InlineData(ApiCaller.Creditor, TestEnvironment.OperatorKey, 3)]
    [InlineData(ApiCaller.Operator, TestEnvironment.HuurKey, 9)]
    [InlineData(ApiCaller.Team, TestEnvironment.HuurKey, 4)]
    [InlineData(ApiCaller.Creditor, TestEnvironment.TeamAmsterdamKey, 3)]
    public async Task Every_function_of_one_caller_kind_answers_403_to_a_valid_credential_of_another(ApiCaller kind, string otherKindsKey, int functionsOfThatKind)
    {
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["Health:TimeoutSeconds"] = "30" });
        using var client = app.CreateClient();

        var checkedFunctions = 0;
        foreach (var (function, method, path) in Requests(app).Where(r => ApiGate.AccessOf(r.Function.Function.Method.DeclaringType!).Caller == kind))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("[]") };
            request.Headers.Add(CreditorAuthentication.ApiKeyHeader, otherKindsKey);
            using var response = await client.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{function.Name}: {method} {path} with another caller kind's key answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            checkedFunctions++;
        }

        Assert.Equal(functionsOfThatKind, checkedFunctions);
    }

    [Fact]
    public async Task Every_rate_limited_function_answers_429_past_the_creditors_burst_and_no_other_one_does()
    {
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["Intake:RequestBurst"] = "2", ["Intake:RequestsPerMinute"] = "1", ["Health:TimeoutSeconds"] = "30" });
        using var client = app.CreateClient();

        foreach (var (function, method, path) in Requests(app))
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 3; i++)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("[]") };
                request.Headers.Add(CreditorAuthentication.ApiKeyHeader, TestEnvironment.MultiKey);
                statuses.Add((await client.SendAsync(request)).StatusCode);
            }

            var limited = ApiGate.AccessOf(function.Function.Method.DeclaringType!).RateLimited;
            Assert.True(limited == (statuses[2] == HttpStatusCode.TooManyRequests), $"{function.Name}: the third {method} {path} answered {(int)statuses[2]}");
        }
    }

    [Fact]
    public async Task An_http_function_starts_with_an_anonymous_user_and_only_the_gate_authenticates()
    {
        var seen = new List<bool>();
        using var app = new TestApp(services: s => s.AddSingleton<IPolicyEvaluator>(sp =>
            new Recording(new PolicyEvaluator(sp.GetRequiredService<IAuthorizationService>()), seen)));
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/intake/r-none");
        request.Headers.Add(CreditorAuthentication.ApiKeyHeader, TestEnvironment.HuurKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // authenticated by the gate, then no such receipt
        Assert.Equal([false], seen);
    }

    // One request per HTTP function and method, route parameters filled in.
    private static IEnumerable<(BoundFunction Function, string Method, string Path)> Requests(TestApp app)
    {
        var functions = app.Services.GetRequiredService<LocalFunctions>();
        return from function in functions.Http
               from method in function.Function.Trigger.TextList("methods")
               select (function, method.ToUpperInvariant(), $"/{functions.Catalog.Host.RoutePrefix}/{RouteParameter().Replace(function.Function.Trigger.Text("route")!, "x")}");
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    // Notes whether the request already had an authenticated user when the gate began.
    private sealed class Recording(PolicyEvaluator inner, List<bool> seen) : IPolicyEvaluator
    {
        public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context)
        {
            seen.Add(context.User.Identity?.IsAuthenticated ?? false);
            return inner.AuthenticateAsync(policy, context);
        }

        public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource) =>
            inner.AuthorizeAsync(policy, authenticationResult, context, resource);
    }
}
