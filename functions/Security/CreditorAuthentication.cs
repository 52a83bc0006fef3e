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
/// Either way the creditor's identity comes from the credential, never from the request body. Operators
/// authenticate the same two ways (<see cref="OperatorKeys"/>, app role <see cref="OperatorKeys.RunRole"/>):
/// one authentication, and one authorization policy per <see cref="CallerKind"/>.
/// </summary>
public static class CreditorAuthentication
{
    public const string ApiKeyScheme = "ApiKey";
    public const string Scheme = "Creditor";
    public const string ApiKeyHeader = "X-Api-Key";
    public const string CreditorClaim = "vroeg:creditor";
    public const string SubmitRole = "Signals.Submit";

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

                // Entra issues v1 access tokens (issuer sts.windows.net, aud = the API's App ID URI) unless the API's registration asks for v2
                // (issuer login.microsoftonline.com/…/v2.0, aud = its client id). The v2.0 metadata names only the v2 issuer: accept both
                // versions, from this tenant only, for the App ID URI or the client id. Signing keys are the tenant's either way.
                o.TokenValidationParameters.ValidAudiences = new[] { entra["Audience"], entra["ClientId"] }.Where(a => !string.IsNullOrEmpty(a)).ToArray();
                if (entra["Authority"] is null && !string.IsNullOrEmpty(tenant))
                {
                    o.TokenValidationParameters.ValidIssuers = [$"https://login.microsoftonline.com/{tenant}/v2.0", $"https://sts.windows.net/{tenant}/"];
                }

                o.MapInboundClaims = false;
                o.TokenValidationParameters.RoleClaimType = "roles";
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = MapCallersAsync,
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                        await Problems.Write(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication failed", "The bearer token is missing, expired or not valid for this API.");
                    },
                };
            });

        services.AddOptions<OperatorOptions>().Bind(configuration.GetSection(OperatorOptions.Section));
        services.AddSingleton<OperatorKeys>();
        services.AddOptions<TeamOptions>().Bind(configuration.GetSection(TeamOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TeamOptions>, TeamOptionsValidator>();
        services.AddSingleton<TeamKeys>();
        var authorization = services.AddAuthorizationBuilder();
        foreach (var kind in CallerKinds.All)
        {
            authorization.AddPolicy(kind.Policy, p => p
                .AddAuthenticationSchemes(Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(kind.Claim));
        }

        return services;
    }

    public static string? CreditorId(this ClaimsPrincipal user) => user.FindFirst(CreditorClaim)?.Value;

    // A token grants each kind of caller whose app role it carries and that maps it to an id; a token without
    // any of the roles, or from an app no creditor is registered for, grants nothing (403 from the gate).
    private static async Task MapCallersAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        if (principal.Identity is not ClaimsIdentity identity)
        {
            return;
        }

        foreach (var kind in CallerKinds.All)
        {
            if (principal.IsInRole(kind.EntraRole) && await kind.FromToken(principal, context.HttpContext) is { } id)
            {
                identity.AddClaim(new Claim(kind.Claim, id));
            }
        }
    }
}

/// <summary>Authenticates <c>X-Api-Key</c> against the creditor registry, then the local operator keys, then the teams' keys.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ICreditorRegistry registry,
    OperatorKeys operators,
    TeamKeys teams) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(CreditorAuthentication.ApiKeyHeader, out var values) || values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
        {
            return AuthenticateResult.NoResult();
        }

        var creditor = await registry.FindByApiKeyAsync(values[0]!, Context.RequestAborted);
        var (claim, id) = creditor is not null
            ? (CreditorAuthentication.CreditorClaim, creditor.Id)
            : operators.FindByApiKey(values[0]!) is { } operatorId
            ? (OperatorKeys.OperatorClaim, operatorId)
            : (TeamKeys.TeamClaim, teams.FindByApiKey(values[0]!));
        if (id is null)
        {
            return AuthenticateResult.Fail("unknown API key");
        }

        var identity = new ClaimsIdentity([new Claim(claim, id), new Claim(ClaimTypes.Name, id)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"ApiKey header=\"{CreditorAuthentication.ApiKeyHeader}\", Bearer";
        var kind = CallerKinds.Required(Context);
        var detail = kind.Caller == ApiCaller.Creditor
            ? $"Send your creditor API key in the {CreditorAuthentication.ApiKeyHeader} header, or an Entra ID bearer token with the {CreditorAuthentication.SubmitRole} app role."
            : $"Send an Entra ID bearer token with the {kind.EntraRole} app role (on a local run: a local key in the {CreditorAuthentication.ApiKeyHeader} header).";
        await Problems.Write(Context, StatusCodes.Status401Unauthorized, "Authentication required", detail);
    }
}
