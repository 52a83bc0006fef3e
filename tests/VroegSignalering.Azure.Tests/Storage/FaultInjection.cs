using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Storage;

/// <summary>
/// Storage clients on the real Azurite whose matching requests fail with an injected status (503 unless told) before they leave
/// the process (the SDK's own retries are off, so the failure reaches the caller at once).
/// </summary>
internal sealed class FaultInjection : HttpPipelinePolicy
{
    private readonly Func<Request, bool> _matches;
    private readonly int _status;
    private readonly bool _afterLanding;
    private int _remaining;

    private FaultInjection(Func<Request, bool> matches, int failures, int status, bool afterLanding)
    {
        _matches = matches;
        _remaining = failures;
        _status = status;
        _afterLanding = afterLanding;
    }

    public int Injected { get; private set; }

    /// <summary>
    /// Clients whose first <paramref name="failures"/> requests matching <paramref name="matches"/> fail with <paramref name="status"/>;
    /// with <paramref name="afterLanding"/> the request reaches storage first and only its reply is lost.
    /// </summary>
    public static (StorageClients Clients, FaultInjection Faults) Clients(Func<Request, bool> matches, int failures = 1, int status = 503, bool afterLanding = false)
    {
        var faults = new FaultInjection(matches, failures, status, afterLanding);
        var clients = StorageClients.FromConnectionString(Azurite.ConnectionString, options =>
        {
            options.Retry.MaxRetries = 0;
            options.AddPolicy(faults, HttpPipelinePosition.PerCall);
        });
        return (clients, faults);
    }

    public static bool IsQueueSend(Request r) => r.Method == RequestMethod.Post && r.Uri.Path.EndsWith("/messages", StringComparison.Ordinal);

    public static bool IsCreate(Request r) => r.Method == RequestMethod.Put || (r.Method == RequestMethod.Post && r.Uri.Path.EndsWith("/Tables", StringComparison.Ordinal));

    /// <summary>An entity-group transaction (its actions travel in one POST to <c>$batch</c>).</summary>
    public static bool IsTransaction(Request r) => r.Method == RequestMethod.Post && r.Uri.Path.EndsWith("$batch", StringComparison.Ordinal);

    /// <summary>Whether a request's body holds <paramref name="text"/> (e.g. a RowKey being written).</summary>
    public static bool BodyContains(Request r, string text)
    {
        if (r.Content is null)
        {
            return false;
        }

        using var body = new MemoryStream();
        r.Content.WriteTo(body, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(body.ToArray()).Contains(text, StringComparison.Ordinal);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!_afterLanding)
        {
            Fail(message);
        }

        ProcessNext(message, pipeline);
        if (_afterLanding)
        {
            Fail(message);
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!_afterLanding)
        {
            Fail(message);
        }

        await ProcessNextAsync(message, pipeline);
        if (_afterLanding)
        {
            Fail(message);
        }
    }

    private void Fail(HttpMessage message)
    {
        if (_matches(message.Request) && Interlocked.Decrement(ref _remaining) >= 0)
        {
            Injected++;
            throw new RequestFailedException(_status, "injected by the test", _status == 503 ? "ServerBusy" : "Injected", null);
        }
    }
}
