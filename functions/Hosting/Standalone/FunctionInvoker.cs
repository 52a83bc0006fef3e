using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VroegSignalering.Functions.Hosting.Standalone;

/// <summary>Invokes a function the way the Functions host does: POST /{name} with a host-shaped payload.</summary>
public interface IFunctionInvoker
{
    Task<InvocationOutcome> InvokeAsync(string functionName, JsonObject payload, CancellationToken cancellationToken);
}

public sealed record InvocationOutcome(int StatusCode, JsonNode? Body)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>Sends invocations over HTTP to the handler (its own address in standalone mode).</summary>
public sealed class HttpFunctionInvoker(HttpClient http) : IFunctionInvoker
{
    public async Task<InvocationOutcome> InvokeAsync(string functionName, JsonObject payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/" + functionName, UriKind.Relative))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(payload)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(FunctionInvocationEndpoint.InvocationIdHeader, Guid.NewGuid().ToString("D"));
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? body = null;
        if (text.Length > 0)
        {
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                body = JsonValue.Create(text);
            }
        }

        return new InvocationOutcome((int)response.StatusCode, body);
    }
}
