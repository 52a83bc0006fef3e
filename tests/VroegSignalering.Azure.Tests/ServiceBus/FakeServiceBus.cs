using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VroegSignalering.Azure.Tests.ServiceBus;

// A request as the fake broker received it.
internal sealed record RecordedRequest(string Method, string Path, string? Authorization, string? ContentType, byte[] Body)
{
    public int Status { get; set; }

    public JsonElement[] Messages()
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public string[] MessageIds() =>
        Messages().Select(m => m.GetProperty("BrokerProperties").GetProperty("MessageId").GetString()!).ToArray();
}

// What the fake broker answers to one request.
internal sealed record ScriptedResponse(int Status, IReadOnlyDictionary<string, string>? Headers = null, string? Body = null)
{
    public static readonly ScriptedResponse Created = new(201);

    public static ScriptedResponse WithRetryAfter(int status, string retryAfter) =>
        new(status, new Dictionary<string, string> { ["Retry-After"] = retryAfter });
}

// The Service Bus REST endpoint in-process: Kestrel on 127.0.0.1 with a port the OS picks. It records
// every request and answers from a script, then from the responder (201 unless told otherwise).
internal sealed class FakeServiceBus : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _lock = new();

    private FakeServiceBus(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    // Answers requests the script does not cover; may wait until the request is aborted (to test cancellation).
    public Func<RecordedRequest, CancellationToken, Task<ScriptedResponse>> Responder { get; set; } =
        (_, _) => Task.FromResult(ScriptedResponse.Created);

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<FakeServiceBus> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeServiceBus? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake = new FakeServiceBus(app, new Uri(address));
        return fake;
    }

    // Answers every request the script does not cover with this status.
    public void AlwaysAnswer(int status) => Responder = (_, _) => Task.FromResult(new ScriptedResponse(status));

    public void Enqueue(params ScriptedResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var request = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.Headers.Authorization.ToString(),
            context.Request.Headers.ContentType.ToString(),
            body.ToArray());
        lock (_lock)
        {
            _requests.Add(request);
        }

        var response = _script.TryDequeue(out var scripted) ? scripted : await Responder(request, context.RequestAborted);
        request.Status = response.Status;
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            await context.Response.WriteAsync(response.Body, context.RequestAborted);
        }
    }
}
