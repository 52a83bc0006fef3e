using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VroegSignalering.Functions.Health;
using VroegSignalering.Functions.Intake;
using VroegSignalering.Functions.Security;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Security;

/// <summary>
/// The gate every HTTP function passes, driven directly on the app's own registration (the local host's
/// tests drive it through HTTP): authentication, the creditor policy and the rate limit, as declared.
/// </summary>
public sealed class ApiGateTests : IDisposable
{
    private readonly IHost _host;
    private readonly List<IServiceScope> _scopes = [];

    public ApiGateTests()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(TestEnvironment.Settings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Intake:RequestBurst"] = "2", ["Intake:RequestsPerMinute"] = "1" });
        builder.AddVroegFunctions();
        _host = builder.Build();
    }

    [Fact]
    public async Task A_request_without_a_credential_is_challenged_with_401_problem_details_and_both_schemes()
    {
        var context = Context();

        var refused = await Gate.AdmitAsync<IngestSignals>(context);

        var (status, body) = await ExecuteAsync(refused, context);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("ApiKey header=\"X-Api-Key\", Bearer", context.Response.Headers.WWWAuthenticate.ToString());
        Assert.Equal(401, (int?)body!["status"]);
    }

    [Fact]
    public async Task A_known_api_key_is_admitted_as_its_creditor()
    {
        var context = Context(TestEnvironment.HuurKey);

        Assert.Null(await Gate.AdmitAsync<IntakeStatus>(context));

        Assert.False(string.IsNullOrEmpty(context.User.CreditorId()));
    }

    [Fact]
    public async Task An_unknown_api_key_is_401()
    {
        var context = Context("not-a-key");

        var (status, _) = await ExecuteAsync(await Gate.AdmitAsync<IntakeStatus>(context), context);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task A_creditor_over_its_burst_gets_429_with_retry_after_on_rate_limited_functions_only()
    {
        Assert.Null(await Gate.AdmitAsync<IngestSignals>(Context(TestEnvironment.WaterKey)));
        Assert.Null(await Gate.AdmitAsync<IngestSignals>(Context(TestEnvironment.WaterKey)));
        var context = Context(TestEnvironment.WaterKey);

        var (status, body) = await ExecuteAsync(await Gate.AdmitAsync<IngestSignals>(context), context);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.True(int.Parse(context.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Contains("1 requests per minute", (string?)body!["detail"], StringComparison.Ordinal);

        // The status of a receipt is not rate limited, and another creditor has its own bucket.
        Assert.Null(await Gate.AdmitAsync<IntakeStatus>(Context(TestEnvironment.WaterKey)));
        Assert.Null(await Gate.AdmitAsync<IngestSignals>(Context(TestEnvironment.ZorgKey)));
    }

    [Fact]
    public async Task An_anonymous_function_is_admitted_without_reading_any_credential()
    {
        var context = Context(TestEnvironment.HuurKey);

        Assert.Null(await Gate.AdmitAsync<global::VroegSignalering.Functions.Health.Health>(context));
        Assert.False(context.User.Identity?.IsAuthenticated ?? false);
    }

    [Fact]
    public async Task A_function_class_that_declares_no_access_cannot_pass_the_gate()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Gate.AdmitAsync<ApiGateTests>(Context()));

        Assert.Contains("declares no [ApiAccess]", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _scopes.ForEach(s => s.Dispose());
        _host.Dispose();
    }

    private ApiGate Gate => _host.Services.GetRequiredService<ApiGate>();

    private HttpContext Context(string? apiKey = null)
    {
        // A scope per request, as the worker (the invocation's scope) and ASP.NET Core give it.
        var scope = _host.Services.CreateScope();
        _scopes.Add(scope);
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Response.Body = new MemoryStream();
        if (apiKey is not null)
        {
            context.Request.Headers[CreditorAuthentication.ApiKeyHeader] = apiKey;
        }

        return context;
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> ExecuteAsync(IResult? result, HttpContext context)
    {
        Assert.NotNull(result);
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Equal("application/problem+json", context.Response.ContentType);
        return ((HttpStatusCode)context.Response.StatusCode, JsonNode.Parse(text));
    }
}
