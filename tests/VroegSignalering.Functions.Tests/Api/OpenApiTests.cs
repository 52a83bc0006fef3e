using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using NJsonSchema;
using VroegSignalering.LocalHost;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Api;

/// <summary>
/// GET /api/openapi/v1.json describes the API the functions serve: valid OpenAPI 3.1, every HTTP function
/// in functions.metadata with its route and methods and nothing else, the creditor security schemes, and
/// every answer the API gives, body included, under the operation that gives it.
/// </summary>
public sealed class OpenApiTests : IDisposable
{
    private readonly TestApp _app = new(settings: new Dictionary<string, string?>
    {
        ["Intake:MaxBodyBytes"] = "20000",
        ["Intake:RequestBurst"] = "5",
        ["Intake:RequestsPerMinute"] = "1",
        ["Health:TimeoutSeconds"] = "30",
    });

    private readonly HttpClient _http;

    public OpenApiTests() => _http = _app.CreateClient();

    [Fact]
    public async Task The_served_document_is_valid_openapi_3_1_without_errors_or_warnings()
    {
        var json = await _http.GetStringAsync("/api/openapi/v1.json");

        var read = Microsoft.OpenApi.OpenApiDocument.Parse(json, "json");

        Assert.Empty(read.Diagnostic!.Errors);
        Assert.Empty(read.Diagnostic.Warnings);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic.SpecificationVersion);
        Assert.Empty(read.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
    }

    [Fact]
    public async Task Every_http_function_in_functions_metadata_is_documented_with_its_route_and_methods_and_nothing_else()
    {
        var document = await DocumentAsync();
        var catalog = FunctionCatalog.Load(AppContext.BaseDirectory);
        var fromMetadata = catalog.Functions.Where(f => f.Trigger.Is("httpTrigger"))
            .SelectMany(f => f.Trigger.TextList("methods").Select(m => $"{m.ToLowerInvariant()} /{catalog.Host.RoutePrefix}/{f.Trigger.Text("route")}"))
            .Order(StringComparer.Ordinal);

        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key} {p.Key}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(fromMetadata, documented);
        Assert.Equal(Functions.Api.OpenApiDocument.RoutePrefix, catalog.Host.RoutePrefix);
    }

    [Fact]
    public async Task Creditor_and_operator_operations_require_the_api_key_or_an_entra_token_with_their_app_role_and_anonymous_ones_nothing()
    {
        var document = await DocumentAsync();
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("apiKey", (string?)schemes["apiKey"]!["type"]);
        Assert.Equal("header", (string?)schemes["apiKey"]!["in"]);
        Assert.Equal("X-Api-Key", (string?)schemes["apiKey"]!["name"]);
        Assert.Equal("bearer", (string?)schemes["entraId"]!["scheme"]);
        Assert.Contains("Signals.Submit", (string?)schemes["entraId"]!["description"], StringComparison.Ordinal);

        foreach (var operation in new[] { Operation(document, "post", "/api/v1/signals"), Operation(document, "get", "/api/v1/intake/{receiptId}") })
        {
            var security = operation["security"]!.AsArray();
            Assert.Equal(2, security.Count);
            Assert.Empty(security[0]!["apiKey"]!.AsArray());
            Assert.Equal("Signals.Submit", (string?)Assert.Single(security[1]!["entraId"]!.AsArray()));
            Assert.NotNull(operation["responses"]!["401"]);
            Assert.NotNull(operation["responses"]!["403"]);
        }

        foreach (var operation in new[] { Operation(document, "post", "/api/v1/operations/outbox/retry"), Operation(document, "get", "/api/v1/operations/ddas/{gemeentecode}/{period}") })
        {
            var security = operation["security"]!.AsArray();
            Assert.Equal("Operations.Run", (string?)Assert.Single(security[1]!["entraId"]!.AsArray()));
            Assert.NotNull(operation["responses"]!["401"]);
            Assert.NotNull(operation["responses"]!["403"]);
            Assert.Null(operation["responses"]!["429"]);
        }

        Assert.Contains("Operations.Run", (string?)schemes["entraId"]!["description"], StringComparison.Ordinal);
        Assert.NotNull(Operation(document, "post", "/api/v1/signals")["responses"]!["429"]!["headers"]!["Retry-After"]);
        Assert.Null(Operation(document, "get", "/api/v1/intake/{receiptId}")["responses"]!["429"]);
        foreach (var anonymous in new[] { Operation(document, "get", "/api/health"), Operation(document, "get", "/api/openapi/v1.json") })
        {
            Assert.Null(anonymous["security"]);
            Assert.Null(anonymous["responses"]!["401"]);
        }
    }

    [Fact]
    public async Task Every_answer_the_api_gives_is_documented_for_its_operation_and_its_body_matches_the_schema()
    {
        var document = await DocumentAsync();
        var answers = new List<(string Method, string Path, HttpResponseMessage Response)>();
        async Task Send(string method, string path, string template, string? apiKey = null, string? body = null, string contentType = "application/json")
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }

            if (apiKey is not null)
            {
                request.Headers.Add("X-Api-Key", apiKey);
            }

            answers.Add((method.ToLowerInvariant(), template, await _http.SendAsync(request)));
        }

        const string retry = "/api/v1/operations/outbox/retry";
        const string ddas = "/api/v1/operations/ddas/{gemeentecode}/{period}";

        const string signals = "/api/v1/signals";
        const string status = "/api/v1/intake/{receiptId}";
        await Send("GET", "/api/health", "/api/health");
        await Send("GET", "/api/openapi/v1.json", "/api/openapi/v1.json");
        await Send("POST", signals, signals, body: TestSignals.Array(TestSignals.Signal("DOC-1")));
        await Send("POST", signals, signals, TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("DOC-1")));
        await Send("POST", signals, signals, TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("DOC-1", bedrag: 999m)));
        await Send("POST", signals, signals, TestEnvironment.HuurKey, "[{}]");
        await Send("POST", signals, signals, TestEnvironment.HuurKey, "x", "text/plain");
        await Send("POST", signals, signals, TestEnvironment.EnergieKey, new string('x', 20001));
        var receipt = (string)JsonNode.Parse(await answers[3].Response.Content.ReadAsStringAsync())!["receiptId"]!;
        await Send("GET", "/api/v1/intake/" + receipt, status, TestEnvironment.HuurKey);
        await Send("GET", "/api/v1/intake/r-unknown", status, TestEnvironment.HuurKey);
        await Send("GET", "/api/v1/intake/r-unknown", status);
        await Send("POST", retry, retry);
        await Send("POST", retry, retry, TestEnvironment.HuurKey);
        await Send("POST", retry, retry, TestEnvironment.OperatorKey, """{"dryRun":true}""");
        await Send("POST", retry, retry, TestEnvironment.OperatorKey, """{"gemeentecode":"x"}""");
        await Send("GET", "/api/v1/operations/ddas/0363/2026-11", ddas);
        await Send("GET", "/api/v1/operations/ddas/0363/2026-11", ddas, TestEnvironment.HuurKey);
        await Send("GET", "/api/v1/operations/ddas/0363/2026-11?client=include", ddas, TestEnvironment.OperatorKey);
        await Send("GET", "/api/v1/operations/ddas/0363/2026-1", ddas, TestEnvironment.OperatorKey);
        const string usage = "/api/v1/operations/keys/usage";
        const string retire = "/api/v1/operations/keys/{kind}/{keyId}/retire";
        const string rewrap = "/api/v1/operations/keys/{kind}/rewrap";
        await Send("GET", usage, usage);
        await Send("GET", usage, usage, TestEnvironment.HuurKey);
        await Send("GET", usage, usage, TestEnvironment.OperatorKey);
        await Send("GET", "/api/v1/operations/keys/encryption/t1/retire", retire, TestEnvironment.OperatorKey);
        await Send("GET", "/api/v1/operations/keys/rsa/t1/retire", retire, TestEnvironment.OperatorKey);
        await Send("GET", "/api/v1/operations/keys/encryption/t1/retire", retire, TestEnvironment.HuurKey);
        await Send("POST", "/api/v1/operations/keys/encryption/rewrap?from=t1", rewrap, TestEnvironment.OperatorKey);
        await Send("POST", "/api/v1/operations/keys/hmac/rewrap?from=t1", rewrap, TestEnvironment.OperatorKey);
        await Send("POST", "/api/v1/operations/keys/encryption/rewrap?from=t1", rewrap);
        const string storageRequests = "/api/v1/operations/storage-requests";
        await Send("GET", storageRequests, storageRequests);
        await Send("GET", storageRequests, storageRequests, TestEnvironment.HuurKey);
        await Send("GET", storageRequests, storageRequests, TestEnvironment.OperatorKey);
        for (var i = 0; i < 6; i++)
        {
            await Send("POST", signals + "?mode=bogus", signals, TestEnvironment.WaterKey, "[]");
        }

        var seen = answers.Select(a => (int)a.Response.StatusCode).ToHashSet();
        Assert.Superset(new HashSet<int> { 200, 202, 400, 401, 403, 404, 409, 413, 415, 429 }, seen);
        foreach (var (method, path, response) in answers)
        {
            var code = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var documented = Operation(document, method, path)["responses"]![code];
            Assert.True(documented is not null, $"{method} {path} answered {code}, which its operation does not document");
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var content = documented!["content"]?[mediaType ?? ""];
            Assert.True(content is not null, $"{method} {path} {code} answered {mediaType}, which is not documented");
            if (path == "/api/openapi/v1.json")
            {
                continue;
            }

            var reference = ((string)content!["schema"]!["$ref"]!).Split('/')[^1];
            var schema = await JsonSchema.FromJsonAsync(document["components"]!["schemas"]![reference]!.ToJsonString());
            var errors = schema.Validate(await response.Content.ReadAsStringAsync());
            Assert.True(errors.Count == 0, $"{method} {path} {code}: the body does not match {reference}: {string.Join("; ", errors.Select(e => e.ToString()))}");
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _app.Dispose();
    }

    private async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await _http.GetStringAsync("/api/openapi/v1.json"))!;

    private static JsonNode Operation(JsonNode document, string method, string path) =>
        document["paths"]![path]?[method] ?? throw new Xunit.Sdk.XunitException($"{method} {path} is not documented");
}
