using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Intake;
using VroegSignalering.Functions.Http;

namespace VroegSignalering.Functions.Security;

/// <summary>
/// Creditors authenticate with <c>X-Api-Key</c> (a per-creditor key, looked up by hash) or with an
/// Entra ID bearer token carrying the app role <see cref="SubmitRole"/>; the app id maps to a creditor.
/// Either way the creditor's identity comes from the credential, never from the request body.
/// </summary>
public static class CreditorAuthentication
{
    public const string ApiKeyScheme = "ApiKey";
    public const string Scheme = "Creditor";
    public const string ApiKeyHeader = "X-Api-Key";
    public const string CreditorClaim = "vroeg:creditor";
    public const string SubmitRole = "Signals.Submit";
    public const string Policy = "Creditor";

    public static IServiceCollection AddCreditorAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var entra = configuration.GetSection("Auth:Entra");
        services.AddAuthentication(Scheme)
            // One scheme in front: a bearer token goes to Entra ID validation, anything else to the API key check,
            // so exactly one handler answers a challenge.
            .AddPolicyScheme(Scheme, "API key or Entra ID", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.FirstOrDefault()?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyScheme, null)
            .AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, o =>
            {
                var tenant = entra["TenantId"];
                o.Authority = entra["Authority"] ?? (string.IsNullOrEmpty(tenant) ? null : $"https://login.microsoftonline.com/{tenant}/v2.0");
                o.Audience = entra["Audience"];
                o.MapInboundClaims = false;
                o.TokenValidationParameters.RoleClaimType = "roles";
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = MapCreditorAsync,
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                        await Problems.Write(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication failed", "The bearer token is missing, expired or not valid for this API.");
                    },
                    OnForbidden = context => Problems.Write(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed",
                        $"The token lacks the {SubmitRole} app role, or its application is not registered as a creditor."),
                };
            });

        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireClaim(CreditorClaim));
        return services;
    }

    public static string? CreditorId(this ClaimsPrincipal user) => user.FindFirst(CreditorClaim)?.Value;

    // A token without the app role, or from an app no creditor is registered for, grants nothing.
    private static async Task MapCreditorAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        if (!principal.IsInRole(SubmitRole))
        {
            return;
        }

        var appId = principal.FindFirst("azp")?.Value ?? principal.FindFirst("appid")?.Value;
        if (appId is null)
        {
            return;
        }

        var registry = context.HttpContext.RequestServices.GetRequiredService<ICreditorRegistry>();
        var creditor = await registry.FindByEntraAppIdAsync(appId, context.HttpContext.RequestAborted);
        if (creditor is not null && principal.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(new Claim(CreditorClaim, creditor.Id));
        }
    }
}

/// <summary>Authenticates <c>X-Api-Key</c> against the creditor registry.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ICreditorRegistry registry) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(CreditorAuthentication.ApiKeyHeader, out var values) || values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
        {
            return AuthenticateResult.NoResult();
        }

        var creditor = await registry.FindByApiKeyAsync(values[0]!, Context.RequestAborted);
        if (creditor is null)
        {
            return AuthenticateResult.Fail("unknown API key");
        }

        var identity = new ClaimsIdentity(
            [new Claim(CreditorAuthentication.CreditorClaim, creditor.Id), new Claim(ClaimTypes.Name, creditor.Id)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"ApiKey header=\"{CreditorAuthentication.ApiKeyHeader}\", Bearer";
        await Problems.Write(Context, StatusCodes.Status401Unauthorized, "Authentication required",
            $"Send your creditor API key in the {CreditorAuthentication.ApiKeyHeader} header, or an Entra ID bearer token with the {CreditorAuthentication.SubmitRole} app role.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Problems.Write(Context, StatusCodes.Status403Forbidden, "Not allowed", "The credential is valid but grants no creditor access to this API.");
    }
}
