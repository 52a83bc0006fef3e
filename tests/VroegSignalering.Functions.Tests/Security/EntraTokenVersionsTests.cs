using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Security;

/// <summary>
/// The bearer-token rules the app configures for Entra ID, as Azure would run them: a version 1 access token (issuer sts.windows.net, audience
/// the App ID URI, what a new app registration gets) and a version 2 token (issuer …/v2.0, audience the client id) of the app's tenant both
/// pass; another tenant's token or another API's does not. Only the signing key, which the tenant's metadata supplies in Azure, is set here.
/// </summary>
public sealed class EntraTokenVersionsTests
{
    private const string Tenant = "00000000-0000-0000-0000-0000000000a1";
    private const string AppIdUri = "api://vroegsignalering";
    private const string ClientId = "00000000-0000-0000-0000-0000000000e2";
    private static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("entra-token-versions-test-key-32-bytes!"));

    [Theory]
    [InlineData("https://sts.windows.net/" + Tenant + "/", AppIdUri, true)] // version 1
    [InlineData("https://login.microsoftonline.com/" + Tenant + "/v2.0", ClientId, true)] // version 2
    [InlineData("https://login.microsoftonline.com/" + Tenant + "/v2.0", AppIdUri, true)] // version 2 with the App ID URI requested as audience
    [InlineData("https://sts.windows.net/00000000-0000-0000-0000-0000000000ff/", AppIdUri, false)] // another tenant
    [InlineData("https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000ff/v2.0", ClientId, false)]
    [InlineData("https://sts.windows.net/" + Tenant + "/", "api://another-api", false)] // another API
    public async Task Tokens_of_either_version_from_the_apps_tenant_for_this_api_pass_and_no_others(string issuer, string audience, bool valid)
    {
        var parameters = Configured(new() { ["Auth:Entra:TenantId"] = Tenant, ["Auth:Entra:Audience"] = AppIdUri, ["Auth:Entra:ClientId"] = ClientId });

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(Token(issuer, audience), parameters);

        Assert.Equal(valid, result.IsValid);
    }

    [Fact]
    public async Task Without_a_client_id_a_version_2_token_for_the_client_id_is_refused()
    {
        var parameters = Configured(new() { ["Auth:Entra:TenantId"] = Tenant, ["Auth:Entra:Audience"] = AppIdUri });

        Assert.False((await new JsonWebTokenHandler().ValidateTokenAsync(Token("https://login.microsoftonline.com/" + Tenant + "/v2.0", ClientId), parameters)).IsValid);
        Assert.True((await new JsonWebTokenHandler().ValidateTokenAsync(Token("https://sts.windows.net/" + Tenant + "/", AppIdUri), parameters)).IsValid);
    }

    // The app's own registration's bearer options, with the tenant's signing key stood in for.
    private static TokenValidationParameters Configured(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(TestEnvironment.Settings().Concat(settings));
        builder.AddVroegFunctions();
        using var host = builder.Build();
        var options = host.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var parameters = options.TokenValidationParameters.Clone();
        parameters.IssuerSigningKey = Key;
        if (parameters.ValidAudiences is null && options.Audience is { } audience)
        {
            parameters.ValidAudience = audience; // how JwtBearer applies Options.Audience when no list is set
        }

        return parameters;
    }

    private static string Token(string issuer, string audience) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = audience,
        Subject = new ClaimsIdentity([new Claim("sub", "client-app"), new Claim("roles", "Signals.Submit")]),
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
    });
}
