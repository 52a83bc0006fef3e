using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace VroegSignalering.Cli.Tests.Posting;

/// <summary>A request as the fake API received it, with the rows it counted in the body.</summary>
internal sealed record RecordedRequest(string Creditor, string? Mode, string ContentType, byte[] Body, IReadOnlyList<JsonElement> Rows, int Attempt)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

internal sealed record FakeResponse(int Status, object? Body = null, string ContentType = "application/json", int? RetryAfterSeconds = null)
{
    public static FakeResponse Accepted(RecordedRequest request) => new(202, new
    {
        receiptId = $"r-{request.Creditor}-{Guid.NewGuid():N}",
        accepted = request.Rows.Count,
        rejected = 0,
        duplicates = 0,
        errors = Array.Empty<object>(),
    });
}

/// <summary>
/// The signals API as far as <c>vroeg post</c> needs it: a real Kestrel server on a loopback port
/// the OS picks. It checks the key and the content type like the real API, parses each body the
/// way its content type says (so a malformed batch fails the test), records every request and
/// answers as the test scripts it; by default 202 with every row accepted.
/// </summary>
internal sealed class FakeSignalsApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IReadOnlyDictionary<string, string> _creditorByKey;
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    private FakeSignalsApi(WebApplication app, IReadOnlyDictionary<string, string> creditorByKey)
    {
        _app = app;
        _creditorByKey = creditorByKey;
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentQueue<string> Rejections { get; } = new();

    public Func<RecordedRequest, FakeResponse> Respond { get; set; } = FakeResponse.Accepted;

    public string Url { get; private set; } = string.Empty;

    public static async Task<FakeSignalsApi> StartAsync(IReadOnlyDictionary<string, string> creditorByKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new FakeSignalsApi(app, creditorByKey);
        app.MapPost("/api/v1/signals", api.HandleAsync);
        await app.StartAsync();
        api.Url = app.Urls.Single();
        return api;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();

        var key = context.Request.Headers["X-Api-Key"].ToString();
        if (!_creditorByKey.TryGetValue(key, out var creditor))
        {
            await Problem(context, 401, "unknown key '" + key + "'");
            return;
        }

        var contentType = context.Request.ContentType ?? string.Empty;
        List<JsonElement> rows;
        try
        {
            rows = ParseRows(MediaTypeHeaderValue.Parse(contentType), body);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            await Problem(context, 415, contentType + ": " + e.Message);
            return;
        }

        var attempt = _attempts.AddOrUpdate(creditor + "\n" + Convert.ToBase64String(body), 1, (_, n) => n + 1);
        var request = new RecordedRequest(creditor, context.Request.Query["mode"], contentType, body, rows, attempt);
        Requests.Enqueue(request);

        var response = Respond(request);
        context.Response.StatusCode = response.Status;
        if (response.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = response.ContentType;
            await context.Response.WriteAsync(JsonSerializer.Serialize(response.Body));
        }
    }

    /// <summary>Reads a body the way the real API would, turning CSV rows into objects keyed by the header.</summary>
    private static List<JsonElement> ParseRows(MediaTypeHeaderValue type, byte[] body)
    {
        switch (type.MediaType)
        {
            case "application/json":
                return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.Clone())];
            case "application/x-ndjson":
                return [.. Encoding.UTF8.GetString(body).Split('\n').Where(l => l.Trim().Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
            case "text/csv":
                if (!string.Equals(type.CharSet, "utf-8", StringComparison.OrdinalIgnoreCase) || !body.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
                {
                    throw new FormatException("CSV must be UTF-8 with a BOM and say so");
                }

                var lines = Encoding.UTF8.GetString(body, 3, body.Length - 3).Split("\r\n").Where(l => l.Length > 0).ToList();
                var header = lines[0].Split(';');
                if (header[0] != "signaalReferentie")
                {
                    throw new FormatException("every CSV batch starts with the header");
                }

                return [.. lines.Skip(1).Select(line =>
                {
                    var fields = line.Split(';');
                    var row = header.Zip(fields).ToDictionary(p => p.First, p => p.Second);
                    return JsonSerializer.SerializeToElement(row);
                })];
            default:
                throw new FormatException("unsupported media type");
        }
    }

    private async Task Problem(HttpContext context, int status, string detail)
    {
        Rejections.Enqueue(detail);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { title = "rejected by the fake API", status, detail }));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
