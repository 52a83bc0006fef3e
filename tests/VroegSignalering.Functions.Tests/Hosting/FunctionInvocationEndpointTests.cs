using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using VroegSignalering.Functions.Hosting;

namespace VroegSignalering.Functions.Tests.Hosting;

/// <summary>POST /{FunctionName} as the host calls it: success replies 2xx, every failure non-2xx.</summary>
public class FunctionInvocationEndpointTests
{
    private static StringContent Payload(string fixture) =>
        new(Encoding.UTF8.GetString(Fixtures.HostPayload(fixture)), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_successful_invocation_replies_200_with_the_host_response_shape()
    {
        var function = new RecordingFunction("ProcessSignalsDouble", _ => InvocationResult.Success().WithLog("ok"));
        using var app = new TestApp([function]);
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ProcessSignalsDouble") { Content = Payload("queue-trigger.json") };
        request.Headers.Add("X-Azure-Functions-InvocationId", "inv-1");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(reply["Outputs"]);
        Assert.Equal("ok", (string?)reply["Logs"]![0]);
        var call = Assert.Single(function.Calls);
        Assert.Equal("inv-1", call.InvocationId);
    }

    [Fact]
    public async Task An_unknown_function_is_404()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/NoSuchFunction", Payload("queue-trigger.json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_function_that_throws_fails_the_invocation_with_500_and_no_exception_text()
    {
        var function = new RecordingFunction("Throws", _ => throw new InvalidOperationException("secret detail"));
        using var app = new TestApp([function]);
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/Throws", Payload("queue-trigger.json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret detail", text, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transient_storage_failure_replies_503_so_the_host_retries()
    {
        var function = new RecordingFunction("Throttled", _ => throw new RequestFailedException(503, "server busy"));
        using var app = new TestApp([function]);
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/Throttled", Payload("queue-trigger.json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task An_unreadable_payload_fails_the_invocation()
    {
        var function = new RecordingFunction("Reads", r => { r.BindingJson("signals"); return InvocationResult.Success(); });
        using var app = new TestApp([function]);
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/Reads", new StringContent("""{"Data":{"signals":"%%%"}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task The_readiness_probe_on_root_answers()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
