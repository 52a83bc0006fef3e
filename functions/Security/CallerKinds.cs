using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Functions.Security;

/// <summary>
/// One kind of authenticated caller: the policy the gate evaluates, the claim that policy requires, the Entra
/// ID app role that grants it, and how a token carrying the role maps to the caller's id (null: no access).
/// A new kind (a municipal team with <c>Outcomes.Submit</c>, say) is one more entry here, one more
/// <see cref="ApiCaller"/> value and, if it has local keys, one more lookup in the API key handler.
/// </summary>
public sealed record CallerKind(
    ApiCaller Caller,
    string Claim,
    string EntraRole,
    string Who,
    Func<ClaimsPrincipal, HttpContext, ValueTask<string?>> FromToken)
{
    /// <summary>The authorization policy, named after the caller.</summary>
    public string Policy => Caller.ToString();
}

public static class CallerKinds
{
    public static readonly CallerKind Creditor = new(
        ApiCaller.Creditor,
        CreditorAuthentication.CreditorClaim,
        CreditorAuthentication.SubmitRole,
        "a registered creditor",
        CreditorFromTokenAsync);

    public static readonly CallerKind Operator = new(
        ApiCaller.Operator,
        OperatorKeys.OperatorClaim,
        OperatorKeys.RunRole,
        "an operator",
        OperatorFromToken);

    public static readonly CallerKind Team = new(
        ApiCaller.Team,
        TeamKeys.TeamClaim,
        TeamKeys.SubmitRole,
        "a municipal team",
        TeamFromToken);

    public static IReadOnlyList<CallerKind> All { get; } = [Creditor, Operator, Team];

    public static CallerKind Of(ApiCaller caller) =>
        All.SingleOrDefault(k => k.Caller == caller) ?? throw new ArgumentOutOfRangeException(nameof(caller), caller, "not an authenticated caller");

    /// <summary>The kind the current request's function requires (set by the gate); creditors when none was set.</summary>
    public static CallerKind Required(HttpContext context) =>
        context.Items.TryGetValue(typeof(CallerKind), out var kind) && kind is CallerKind k ? k : Creditor;

    internal static void Require(HttpContext context, CallerKind kind) => context.Items[typeof(CallerKind)] = kind;

    // The client application must be registered as a creditor: the app role alone grants nothing.
    private static async ValueTask<string?> CreditorFromTokenAsync(ClaimsPrincipal principal, HttpContext context)
    {
        var appId = AppId(principal);
        if (appId is null)
        {
            return null;
        }

        var registry = context.RequestServices.GetRequiredService<ICreditorRegistry>();
        return (await registry.FindByEntraAppIdAsync(appId, context.RequestAborted))?.Id;
    }

    // Entra assigns Operations.Run to people and groups (a user token: oid is the person's object id) or to an
    // automation's service principal (an app token: oid is the principal's). The role is the whole grant.
    private static ValueTask<string?> OperatorFromToken(ClaimsPrincipal principal, HttpContext context) =>
        ValueTask.FromResult(principal.FindFirst("oid")?.Value ?? principal.FindFirst("sub")?.Value ?? AppId(principal));

    // As for creditors: the client application must be registered as a team (for one gemeente); the role alone grants nothing.
    private static ValueTask<string?> TeamFromToken(ClaimsPrincipal principal, HttpContext context) =>
        ValueTask.FromResult(AppId(principal) is { } appId ? context.RequestServices.GetRequiredService<TeamKeys>().FindByEntraAppId(appId) : null);

    private static string? AppId(ClaimsPrincipal principal) => principal.FindFirst("azp")?.Value ?? principal.FindFirst("appid")?.Value;
}
