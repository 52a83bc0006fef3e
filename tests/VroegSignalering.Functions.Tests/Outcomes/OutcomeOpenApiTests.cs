using System.Net;
using System.Text.Json.Nodes;
using NJsonSchema;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Outcomes;

/// <summary>Every answer the outcome and feedback endpoints give is documented for its operation, and its body matches the schema.</summary>
public sealed class OutcomeOpenApiTests : IDisposable
{
    private readonly PipelineApp _app = new();

    [Fact]
    public async Task Every_answer_of_the_outcome_and_feedback_endpoints_is_documented_and_matches_its_schema()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-DOC-1");
        var document = JsonNode.Parse(await _app.Http.GetStringAsync("/api/openapi/v1.json"))!;
        const string view = "/api/v1/tasks/{taskId}";
        const string attempts = "/api/v1/tasks/{taskId}/contactpogingen";
        const string help = "/api/v1/tasks/{taskId}/hulpaanbod";
        const string close = "/api/v1/tasks/{taskId}/afsluiting";
        const string feedback = "/api/v1/feedback";
        var team = TestEnvironment.TeamAmsterdamKey;
        var accepted = $$"""{"aanvaard":true,"datum":"{{Today}}"}""";
        var requests = new (string Method, string Path, string Template, string? Key, string? Body, string ContentType)[]
        {
            ("GET", $"/api/v1/tasks/{task}", view, team, null, "application/json"),
            ("GET", "/api/v1/tasks/t-0123456789abcdef0123-1-r1", view, team, null, "application/json"),
            ("GET", $"/api/v1/tasks/{task}", view, null, null, "application/json"),
            ("GET", $"/api/v1/tasks/{task}", view, TestEnvironment.HuurKey, null, "application/json"),
            ("POST", $"/api/v1/tasks/{task}/hulpaanbod", help, team, accepted, "application/json"),
            ("POST", $"/api/v1/tasks/{task}/contactpogingen", attempts, team, Attempt("p-1", bereikt: true), "application/json"),
            ("POST", $"/api/v1/tasks/{task}/contactpogingen", attempts, team, Attempt("p-1", soort: "Brief"), "application/json"),
            ("POST", $"/api/v1/tasks/{task}/contactpogingen", attempts, team, "{}", "application/json"),
            ("POST", $"/api/v1/tasks/{task}/contactpogingen", attempts, team, Attempt("p-2"), "text/plain"),
            ("POST", $"/api/v1/tasks/{task}/contactpogingen", attempts, team, new string(' ', 17000), "application/json"),
            ("POST", $"/api/v1/tasks/{task}/hulpaanbod", help, team, accepted, "application/json"),
            ("POST", $"/api/v1/tasks/{task}/hulpaanbod", help, team, "[]", "application/json"),
            ("POST", $"/api/v1/tasks/{task}/afsluiting", close, team, """{"resultaat":"x"}""", "application/json"),
            ("POST", $"/api/v1/tasks/{task}/afsluiting", close, team, """{"resultaat":"Vervolghulp en/of verwijzing financieel"}""", "application/json"),
            ("POST", $"/api/v1/tasks/{task}/afsluiting", close, TestEnvironment.TeamRotterdamKey, """{"resultaat":"Vervolghulp en/of verwijzing financieel"}""", "application/json"),
            ("GET", $"/api/v1/tasks/{task}", view, team, null, "application/json"),
            ("GET", feedback, feedback, TestEnvironment.HuurKey, null, "application/json"),
            ("GET", feedback + "?max=0", feedback, TestEnvironment.HuurKey, null, "application/json"),
            ("GET", feedback, feedback, team, null, "application/json"),
            ("GET", feedback, feedback, null, null, "application/json"),
        };

        var seen = new HashSet<int>();
        foreach (var (method, path, template, key, body, contentType) in requests)
        {
            using var response = await SendAsync(_app, method, path, key, json: body, contentType: contentType);
            var code = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            seen.Add((int)response.StatusCode);
            var documented = document["paths"]![template]![method.ToLowerInvariant()]!["responses"]![code];
            Assert.True(documented is not null, $"{method} {path} answered {code}, which its operation does not document");
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var content = documented!["content"]?[mediaType ?? string.Empty];
            Assert.True(content is not null, $"{method} {path} {code} answered {mediaType}, which is not documented");
            var reference = ((string)content!["schema"]!["$ref"]!).Split('/')[^1];
            var schema = await JsonSchema.FromJsonAsync(document["components"]!["schemas"]![reference]!.ToJsonString());
            var errors = schema.Validate(await response.Content.ReadAsStringAsync());
            Assert.True(errors.Count == 0, $"{method} {path} {code}: the body does not match {reference}: {string.Join("; ", errors.Select(e => e.ToString()))}");
        }

        Assert.Equal(new HashSet<int> { 200, 400, 401, 403, 404, 409, 413, 415 }, seen);
    }

    public void Dispose() => _app.Dispose();
}
