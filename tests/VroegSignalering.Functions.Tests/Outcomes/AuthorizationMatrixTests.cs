using System.Net;
using System.Text;
using VroegSignalering.Functions.Tests.Operations;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Outcomes;

/// <summary>
/// Every kind of credential against every HTTP endpoint, each with the exact status it must get: no credential
/// and a bad one 401; a valid credential of another kind of caller 403; a team on another gemeente's task 404,
/// as on an unknown task; and each kind's own endpoints their answer. The task belongs to gemeente 0363.
/// </summary>
public sealed class AuthorizationMatrixTests : IDisposable
{
    private const string UnregisteredAppId = "55555555-5555-5555-5555-555555555555";

    // A second, older encryption key, so the rewrap and retire endpoints have a key to work on; health with time to answer.
    private readonly PipelineApp _app = new(
        new Dictionary<string, string?>
        {
            ["Keys:Encryption:Keys:t0"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Health:TimeoutSeconds"] = "30",
        },
        services: TestTokens.TrustTestTokens);

    private enum Kind
    {
        Anonymous,
        Creditor,
        Operator,
        Team,
    }

    private enum Credential
    {
        None,
        BadKey,
        BadToken,
        CreditorKey,
        CreditorToken,
        OperatorKey,
        OperatorToken,
        TeamKeyOwnGemeente,
        TeamTokenOwnGemeente,
        TeamKeyOtherGemeente,
        TeamTokenOtherGemeente,
        TeamAppTokenWithoutRole,
        TeamRoleOfAnUnregisteredApp,
        CreditorAppWithTheTeamRole,
    }

    [Fact]
    public async Task Every_credential_kind_gets_the_exact_status_on_every_endpoint()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-AUTH-1");
        var reference = 0;
        string Signal() => TestSignals.Array(TestSignals.Signal($"OUT-AUTH-S{++reference}", postcode: "3011AA", huisnummer: 3));

        // (kind, method, path, body, status for its own kind of caller). Team endpoints in the order a team works,
        // so each answers 200 to the first team credential and the same 200 to the replays after it.
        var endpoints = new List<(Kind Kind, string Method, string Path, Func<string?> Body, HttpStatusCode Own)>
        {
            (Kind.Anonymous, "GET", "/api/health", () => null, HttpStatusCode.OK),
            (Kind.Anonymous, "GET", "/api/openapi/v1.json", () => null, HttpStatusCode.OK),
            (Kind.Creditor, "POST", "/api/v1/signals", Signal, HttpStatusCode.Accepted),
            (Kind.Creditor, "GET", "/api/v1/intake/r-none", () => null, HttpStatusCode.NotFound),
            (Kind.Creditor, "GET", "/api/v1/feedback", () => null, HttpStatusCode.OK),
            (Kind.Operator, "POST", "/api/v1/operations/outbox/retry", () => null, HttpStatusCode.OK),
            (Kind.Operator, "GET", "/api/v1/operations/ddas/0363/2026-11", () => null, HttpStatusCode.OK),
            (Kind.Operator, "GET", "/api/v1/operations/keys/usage", () => null, HttpStatusCode.OK),
            (Kind.Operator, "GET", "/api/v1/operations/keys/encryption/t0/retire", () => null, HttpStatusCode.OK),
            (Kind.Operator, "POST", "/api/v1/operations/keys/encryption/rewrap?from=t0&max=10", () => null, HttpStatusCode.OK),
            (Kind.Operator, "GET", "/api/v1/operations/storage-requests", () => null, HttpStatusCode.OK),
            (Kind.Operator, "POST", "/api/v1/operations/quarantine/redrive", () => """{"dryRun":true}""", HttpStatusCode.OK),
            (Kind.Operator, "POST", "/api/v1/operations/retention/run?dryRun=true", () => null, HttpStatusCode.OK),
            (Kind.Operator, "POST", "/api/v1/operations/quarantine/q-none/assignment", () => """{"gemeentecode":"0363","reasonCode":"address.other"}""", HttpStatusCode.NotFound),
            (Kind.Team, "GET", $"/api/v1/tasks/{task}", () => null, HttpStatusCode.OK),
            (Kind.Team, "POST", $"/api/v1/tasks/{task}/contactpogingen", () => Attempt("p-auth", bereikt: true), HttpStatusCode.OK),
            (Kind.Team, "POST", $"/api/v1/tasks/{task}/hulpaanbod", () => $$"""{"aanvaard":true,"datum":"{{Today}}"}""", HttpStatusCode.OK),
            (Kind.Team, "POST", $"/api/v1/tasks/{task}/afsluiting", () => """{"resultaat":"Vervolghulp en/of verwijzing financieel"}""", HttpStatusCode.OK),
        };

        var mismatches = new List<string>();
        var cells = 0;
        foreach (var (kind, method, path, body, own) in endpoints)
        {
            foreach (var credential in Enum.GetValues<Credential>())
            {
                var expected = Expected(kind, credential, own);
                var (apiKey, token) = Of(credential);
                using var response = await SendAsync(_app, method, path, apiKey, token, body());
                cells++;
                if (response.StatusCode != expected)
                {
                    mismatches.Add($"{credential} {method} {path}: {(int)response.StatusCode}, expected {(int)expected}");
                }
                else if ((int)expected >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    mismatches.Add($"{credential} {method} {path}: {(int)expected} without problem details");
                }
            }
        }

        // Every HTTP function of the app has its row: a new endpoint without one fails here.
        Assert.Equal(_app.Functions.Http.Count(), endpoints.Count);
        Assert.Equal(18 * Enum.GetValues<Credential>().Length, cells);
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    [Fact]
    public async Task Another_gemeentes_task_answers_exactly_as_an_unknown_task()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-AUTH-2");
        var unknown = "t-0123456789abcdef0123-1-r1";

        foreach (var (method, suffix, body) in new[] { ("GET", string.Empty, (string?)null), ("POST", "/contactpogingen", Attempt("p-x")), ("POST", "/afsluiting", """{"resultaat":"Verwijzing zonder contact"}""") })
        {
            using var other = await SendAsync(_app, method, $"/api/v1/tasks/{task}{suffix}", TestEnvironment.TeamRotterdamKey, json: body);
            using var none = await SendAsync(_app, method, $"/api/v1/tasks/{unknown}{suffix}", TestEnvironment.TeamRotterdamKey, json: body);

            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            Assert.Equal(
                (await other.Content.ReadAsStringAsync()).Replace(task, "{task}", StringComparison.Ordinal),
                (await none.Content.ReadAsStringAsync()).Replace(unknown, "{task}", StringComparison.Ordinal));
        }

        Assert.Equal("TaskDispatched", (await RowAsync(_app, task, "c|" + CaseIdOf(task))).GetString("Status"));
    }

    public void Dispose() => _app.Dispose();

    private static HttpStatusCode Expected(Kind kind, Credential credential, HttpStatusCode own)
    {
        if (kind == Kind.Anonymous)
        {
            return own;
        }

        if (credential is Credential.None or Credential.BadKey or Credential.BadToken)
        {
            return HttpStatusCode.Unauthorized;
        }

        var callerKind = credential switch
        {
            Credential.CreditorKey or Credential.CreditorToken => Kind.Creditor,
            Credential.OperatorKey or Credential.OperatorToken => Kind.Operator,
            Credential.TeamKeyOwnGemeente or Credential.TeamTokenOwnGemeente or Credential.TeamKeyOtherGemeente or Credential.TeamTokenOtherGemeente => Kind.Team,
            _ => Kind.Anonymous, // valid tokens that grant no kind of caller
        };
        if (callerKind != kind)
        {
            return HttpStatusCode.Forbidden;
        }

        return credential is Credential.TeamKeyOtherGemeente or Credential.TeamTokenOtherGemeente ? HttpStatusCode.NotFound : own;
    }

    private static (string? ApiKey, string? Token) Of(Credential credential) => credential switch
    {
        Credential.None => (null, null),
        Credential.BadKey => ("not-a-key-of-anyone", null),
        Credential.BadToken => (null, Convert.ToBase64String(Encoding.UTF8.GetBytes("not.a.token"))),
        Credential.CreditorKey => (TestEnvironment.HuurKey, null),
        Credential.CreditorToken => (null, TestTokens.Create(TestEnvironment.HuurEntraAppId, "Signals.Submit")),
        Credential.OperatorKey => (TestEnvironment.OperatorKey, null),
        Credential.OperatorToken => (null, TestTokens.Create("22222222-2222-2222-2222-222222222222", "Operations.Run")),
        Credential.TeamKeyOwnGemeente => (TestEnvironment.TeamAmsterdamKey, null),
        Credential.TeamTokenOwnGemeente => (null, TestTokens.Create(TestEnvironment.TeamAmsterdamEntraAppId, "Outcomes.Submit")),
        Credential.TeamKeyOtherGemeente => (TestEnvironment.TeamRotterdamKey, null),
        Credential.TeamTokenOtherGemeente => (null, TestTokens.Create(TestEnvironment.TeamRotterdamEntraAppId, "Outcomes.Submit")),
        Credential.TeamAppTokenWithoutRole => (null, TestTokens.Create(TestEnvironment.TeamAmsterdamEntraAppId)),
        Credential.TeamRoleOfAnUnregisteredApp => (null, TestTokens.Create(UnregisteredAppId, "Outcomes.Submit")),
        Credential.CreditorAppWithTheTeamRole => (null, TestTokens.Create(TestEnvironment.HuurEntraAppId, "Outcomes.Submit")),
        _ => throw new ArgumentOutOfRangeException(nameof(credential)),
    };
}
