using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Http;

/// <summary>
/// Every error answer the app gives a malformed request, on its local host, is RFC 9457 problem details:
/// content type application/problem+json and a body with type, title, status and detail; none is a bare status.
/// </summary>
public sealed class ErrorAnswersTests : IDisposable
{
    private readonly PipelineApp _app = new(new Dictionary<string, string?>
    {
        ["Intake:MaxBodyBytes"] = "20000",
        ["Intake:RequestsPerMinute"] = "6000",
        ["Intake:RequestBurst"] = "1000",
    });

    // Its own app: a limit of one request bothers no other request here.
    private readonly PipelineApp _limited = new(new Dictionary<string, string?> { ["Intake:RequestsPerMinute"] = "1", ["Intake:RequestBurst"] = "1" });

    public static TheoryData<string, HttpStatusCode> MalformedRequests() => new()
    {
        { "GET on the signals route, which takes POST only", HttpStatusCode.MethodNotAllowed },
        { "DELETE on a receipt, which takes GET only", HttpStatusCode.MethodNotAllowed },
        { "a route that does not exist", HttpStatusCode.NotFound },
        { "a route outside the api prefix", HttpStatusCode.NotFound },
        { "an unknown receipt", HttpStatusCode.NotFound },
        { "an unsupported media type", HttpStatusCode.UnsupportedMediaType },
        { "no content type at all", HttpStatusCode.UnsupportedMediaType },
        { "a body that is not JSON", HttpStatusCode.BadRequest },
        { "an unknown mode", HttpStatusCode.BadRequest },
        { "no credential", HttpStatusCode.Unauthorized },
        { "a wrong api key", HttpStatusCode.Unauthorized },
        { "an operator's key on the creditors' endpoint", HttpStatusCode.Forbidden },
        { "a body over the byte limit", HttpStatusCode.RequestEntityTooLarge },
        { "a creditor over its rate limit", HttpStatusCode.TooManyRequests },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task A_malformed_request_gets_its_error_status_as_problem_details(string request, HttpStatusCode expected)
    {
        using var response = await SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal((int)expected, (int?)problem["status"]);
        Assert.StartsWith("https://", (string?)problem["type"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]), body);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]), body);
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/plain")]
    [InlineData("application/octet-stream")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json-patch+json")]
    public async Task An_unsupported_media_type_is_415_with_problem_details_naming_the_supported_types(string mediaType)
    {
        using var response = await _app.PostAsync(TestEnvironment.HuurKey, "<signal/>", mediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/unsupported-media-type", (string?)problem["type"], StringComparison.Ordinal);
        Assert.Equal("Unsupported media type", (string?)problem["title"]);
        Assert.Equal(415, (int?)problem["status"]);
        Assert.All(new[] { "application/json", "application/x-ndjson", "text/csv" }, t => Assert.Contains(t, (string?)problem["detail"], StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _app.Dispose();
        _limited.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(string request)
    {
        var signal = TestSignals.Array(TestSignals.Signal("ERR-1", huisnummer: 41));
        switch (request)
        {
            case "GET on the signals route, which takes POST only":
                return await Send(HttpMethod.Get, "/api/v1/signals", TestEnvironment.HuurKey);
            case "DELETE on a receipt, which takes GET only":
                return await Send(HttpMethod.Delete, "/api/v1/intake/r-1", TestEnvironment.HuurKey);
            case "a route that does not exist":
                return await Send(HttpMethod.Get, "/api/v1/nothing-here", TestEnvironment.HuurKey);
            case "a route outside the api prefix":
                return await Send(HttpMethod.Post, "/signals", TestEnvironment.HuurKey, signal, "application/json");
            case "an unknown receipt":
                return await Send(HttpMethod.Get, "/api/v1/intake/r-does-not-exist", TestEnvironment.HuurKey);
            case "an unsupported media type":
                return await _app.PostAsync(TestEnvironment.HuurKey, "<signal/>", "application/xml");
            case "no content type at all":
                return await Send(HttpMethod.Post, "/api/v1/signals", TestEnvironment.HuurKey, signal, contentType: null);
            case "a body that is not JSON":
                return await _app.PostAsync(TestEnvironment.HuurKey, "{ nope", "application/json");
            case "an unknown mode":
                return await _app.PostAsync(TestEnvironment.HuurKey, signal, query: "mode=sometimes");
            case "no credential":
                return await _app.PostAsync(null, Encoding.UTF8.GetBytes(signal), "application/json");
            case "a wrong api key":
                return await _app.PostAsync("not-a-key", signal);
            case "an operator's key on the creditors' endpoint":
                return await _app.PostAsync(TestEnvironment.OperatorKey, signal);
            case "a body over the byte limit":
                return await _app.PostAsync(TestEnvironment.HuurKey, "[" + new string(' ', 20001) + "]");
            case "a creditor over its rate limit":
                for (var i = 0; ; i++)
                {
                    var response = await _limited.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal($"ERR-RL-{i}", huisnummer: 42 + i)));
                    if (response.StatusCode != HttpStatusCode.Accepted || i == 5)
                    {
                        return response;
                    }

                    response.Dispose();
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(request), request, "no such request");
        }
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string apiKey, string? body = null, string? contentType = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", apiKey);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        return await _app.Http.SendAsync(request);
    }
}
