using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using VroegSignalering.Functions.Http;

namespace VroegSignalering.Functions.Security;

/// <summary>
/// The one gate every HTTP function passes first, in Azure and in the local host alike: authentication
/// with the ASP.NET Core handlers (API key or Entra ID bearer token), the policy of the caller kind the
/// function declares (creditor or operator), then the per-creditor rate limit, in that order, as the class's
/// <see cref="ApiAccessAttribute"/> declares. A refused request gets its answer (401 with WWW-Authenticate,
/// 403, or 429 with Retry-After, all as problem details) and the function returns it untouched. A valid
/// credential of another kind of caller (a creditor's key on an operator function) is 403, not 401.
/// </summary>
public sealed class ApiGate(IAuthorizationPolicyProvider policies, IPolicyEvaluator evaluator, CreditorRateLimiter limiter)
{
    private static readonly ConcurrentDictionary<Type, ApiAccessAttribute> Declarations = new();

    /// <summary>
    /// Admits the request to <typeparamref name="TFunction"/>: null when it may go on (with
    /// <c>HttpContext.User</c> set to the caller), otherwise the answer to return.
    /// </summary>
    public async Task<IResult?> AdmitAsync<TFunction>(HttpContext context)
    {
        var access = AccessOf(typeof(TFunction));
        if (access.Caller == ApiCaller.Anonymous)
        {
            return null;
        }

        var kind = CallerKinds.Of(access.Caller);
        CallerKinds.Require(context, kind);
        var policy = await policies.GetPolicyAsync(kind.Policy)
            ?? throw new InvalidOperationException($"the authorization policy '{kind.Policy}' is not registered");
        var authenticated = await evaluator.AuthenticateAsync(policy, context);
        var authorized = await evaluator.AuthorizeAsync(policy, authenticated, context, resource: null);
        if (authorized.Challenged)
        {
            return Results.Challenge(authenticationSchemes: [.. policy.AuthenticationSchemes]);
        }

        if (authorized.Forbidden)
        {
            return Problems.Result(StatusCodes.Status403Forbidden, "Not allowed", kind.Caller == ApiCaller.Creditor
                ? $"The credential is valid but grants no creditor access: an API key of a registered creditor, or an Entra ID token with the {kind.EntraRole} app role of an application registered as a creditor."
                : kind.Caller == ApiCaller.Team
                ? $"The credential is valid but is not {kind.Who}'s: this operation needs a team's key, or an Entra ID token with the {kind.EntraRole} app role of an application registered as a team."
                : $"The credential is valid but is not {kind.Who}'s: this operation needs an Entra ID token with the {kind.EntraRole} app role.");
        }

        return access.RateLimited ? limiter.Admit(context.User.FindFirst(kind.Claim)!.Value) : null;
    }

    /// <summary>The declaration of an HTTP function class; a class without one is a programming error.</summary>
    public static ApiAccessAttribute AccessOf(Type function) => Declarations.GetOrAdd(function, static type =>
        type.GetCustomAttribute<ApiAccessAttribute>()
        ?? throw new InvalidOperationException($"{type.FullName} passes the API gate but declares no [ApiAccess]"));
}
