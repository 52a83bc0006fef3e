namespace VroegSignalering.Functions.Security;

/// <summary>Who may call an HTTP function.</summary>
public enum ApiCaller
{
    /// <summary>Anyone: no credential is read.</summary>
    Anonymous,

    /// <summary>A registered creditor, by API key or Entra ID token (<see cref="CreditorAuthentication"/>).</summary>
    Creditor,

    /// <summary>
    /// An operator of the pipeline: an Entra ID token with the <c>Operations.Run</c> app role, or on a local run an
    /// operator key (<see cref="OperatorKeys"/>). Operator functions run under the app's identity and keys.
    /// </summary>
    Operator,

    /// <summary>
    /// A municipal team, registered for one gemeente (<see cref="TeamKeys"/>): an Entra ID token with the
    /// <c>Outcomes.Submit</c> app role of an application registered as the team, or on a local run a team key.
    /// </summary>
    Team,
}

/// <summary>
/// Declares, on an HTTP function class, who may call it and whether the per-creditor rate limit applies.
/// <see cref="ApiGate"/> enforces it when the function passes the request through the gate, and the
/// OpenAPI document declares the same security and answers (401, 403, 429) from it: one declaration, read
/// by both. ASP.NET Core's own [Authorize] would do nothing here: the worker's ASP.NET Core pipeline
/// cannot be configured and ignores endpoint metadata on <c>[Function]</c> methods.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ApiAccessAttribute(ApiCaller caller) : Attribute
{
    public ApiCaller Caller { get; } = caller;

    /// <summary>Counts the call against the creditor's token bucket (Intake:RequestsPerMinute, Intake:RequestBurst).</summary>
    public bool RateLimited { get; init; }
}
