using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.Testing;

/// <summary>The faults <see cref="StorageFaults"/> injects.</summary>
public enum StorageFault
{
    /// <summary>A 503 ServerBusy answer; the request never left the process.</summary>
    ServerBusy,

    /// <summary>The socket was reset before the request left (what the SDK's HTTP transport throws for it).</summary>
    ConnectionReset,

    /// <summary>The request reached storage and took effect, but its reply is lost: the caller sees a timeout.</summary>
    TimeoutAfterLanding,
}

/// <summary>
/// A seeded storage fault policy on the real Azurite, placed where the SDK retries (per retry, behind the
/// client's own retry policy as the app configures it), so each try of a request can fail and a fault that
/// outlasts the retries reaches the app as it would in Azure. A request (table or queue) is picked at
/// <see cref="Rate"/>; a picked request fails on a run of consecutive tries, and at
/// <see cref="OutlastRate"/> on every try, so the SDK gives up and the app sees the failure. Counts what it
/// injected, per kind, and how many faults outlasted the retries. <see cref="Enabled"/> off stops the faults.
/// </summary>
public sealed class StorageFaults : HttpPipelinePolicy
{
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly int[] _injected = new int[3];
    private readonly int[] _reachedCaller = new int[3];
    private int _requests;
    private volatile bool _enabled = true;

    private readonly Func<Request, bool> _matches;
    private readonly StorageFault? _only;

    /// <param name="matches">Which requests may be faulted (all unless told).</param>
    /// <param name="only">One kind of fault for every picked request (a kind drawn at random unless told).</param>
    public StorageFaults(int seed, double rate, double outlastRate, int maxRetries = 3, Func<Request, bool>? matches = null, StorageFault? only = null)
    {
        _matches = matches ?? (_ => true);
        _only = only;
        _random = new Random(seed);
        Rate = rate;
        OutlastRate = outlastRate;
        MaxRetries = maxRetries;
    }

    public double Rate { get; }

    public double OutlastRate { get; }

    /// <summary>The retries of the client's policy (the SDK default unless the app sets one): the longest run of failing tries that is not sure to outlast them.</summary>
    public int MaxRetries { get; }

    /// <summary>Off: no more faults (a request already failing passes on its next try).</summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>What the caller got from a fault that outlasted the retries (exception type or answer), counted.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> CallerSaw { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests (first tries) that passed the policy.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Tries failed by this policy, per kind.</summary>
    public int Injected(StorageFault kind) => Volatile.Read(ref _injected[(int)kind]);

    /// <summary>Faults that failed the last try the client makes, so its caller (the app) got the exception.</summary>
    public int ReachedCaller(StorageFault kind) => Volatile.Read(ref _reachedCaller[(int)kind]);

    public string Summary() => $"requests {Requests}; injected busy {Injected(StorageFault.ServerBusy)}, reset {Injected(StorageFault.ConnectionReset)}, " +
        $"timeout {Injected(StorageFault.TimeoutAfterLanding)}; reached the app busy {ReachedCaller(StorageFault.ServerBusy)}, " +
        $"reset {ReachedCaller(StorageFault.ConnectionReset)}, timeout {ReachedCaller(StorageFault.TimeoutAfterLanding)} " +
        $"({string.Join(", ", CallerSaw.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} ×{c.Value}"))})";

    /// <summary>Storage clients as the app builds them from a connection string (its retry options untouched), with this policy per retry.</summary>
    public StorageClients Clients(string connectionString) => Clients(connectionString, quickRetries: false);

    /// <summary>
    /// The same; <paramref name="quickRetries"/> keeps the client's retries (so a fault that outlasts them reaches
    /// the app in the shape the SDK gives, e.g. an AggregateException of every try) but with a fixed 10 ms back-off
    /// and <see cref="MaxRetries"/> retries, so a test does not wait out the SDK's real back-off.
    /// </summary>
    public StorageClients Clients(string connectionString, bool quickRetries) =>
        StorageClients.FromConnectionString(connectionString, options =>
        {
            if (quickRetries)
            {
                options.Retry.Mode = RetryMode.Fixed;
                options.Retry.Delay = TimeSpan.FromMilliseconds(10);
                options.Retry.MaxRetries = MaxRetries;
            }

            options.AddPolicy(new Outcome(this), HttpPipelinePosition.PerCall);
            options.AddPolicy(this, HttpPipelinePosition.PerRetry);
        });

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!_matches(message.Request))
        {
            await ProcessNextAsync(message, pipeline);
            return;
        }

        var state = Next(message);
        if (state.Fault is not { } kind || state.Try > state.FailingTries || !Enabled)
        {
            await ProcessNextAsync(message, pipeline);
            return;
        }

        Interlocked.Increment(ref _injected[(int)kind]);
        state.LastTryFaulted = true;

        switch (kind)
        {
            case StorageFault.ServerBusy:
                // A response, not an exception: the retry policy classifies it as the SDK does a real 503.
                message.Response = new BusyResponse(message.Request.ClientRequestId);
                return;
            case StorageFault.ConnectionReset:
                // What HttpClientTransport throws when the socket is reset: status 0, the HttpRequestException inside.
                throw new RequestFailedException("An error occurred while sending the request.", new HttpRequestException(
                    "An error occurred while sending the request.",
                    new IOException("Unable to read data from the transport connection: Connection reset by peer.", new SocketException((int)SocketError.ConnectionReset))));
            default:
                await ProcessNextAsync(message, pipeline);
                message.Response?.Dispose();
                // What ResponseBodyPolicy throws when the network timeout passes: a TaskCanceledException, not the caller's token.
                throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40. (injected after the request landed)");
        }
    }

    // The same HttpMessage goes through every try, so its state says which try this is and what was drawn for it.
    private State Next(HttpMessage message)
    {
        if (message.TryGetProperty(typeof(State), out var existing) && existing is State state)
        {
            state.Try++;
            state.LastTryFaulted = false;
            return state;
        }

        Interlocked.Increment(ref _requests);
        state = new State { Try = 1 };
        lock (_gate)
        {
            if (_random.NextDouble() < Rate)
            {
                state.Fault = _only ?? (StorageFault)_random.Next(3);
                state.FailingTries = _random.NextDouble() < OutlastRate ? int.MaxValue : _random.Next(1, MaxRetries + 1);
            }
        }

        message.SetProperty(typeof(State), state);
        return state;
    }

    private sealed class State
    {
        public int Try { get; set; }

        public StorageFault? Fault { get; set; }

        public int FailingTries { get; set; }

        public bool LastTryFaulted { get; set; }
    }

    // Outside the retry policy: sees what the caller gets, so "reached the app" is observed, not assumed from a retry count.
    private sealed class Outcome(StorageFaults faults) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Exception? failure = null;
            try
            {
                await ProcessNextAsync(message, pipeline);
            }
            catch (Exception ex)
            {
                failure = ex;
                throw;
            }
            finally
            {
                if (message.TryGetProperty(typeof(State), out var s) && s is State { LastTryFaulted: true, Fault: { } kind })
                {
                    Interlocked.Increment(ref faults._reachedCaller[(int)kind]);
                    faults.CallerSaw.AddOrUpdate($"{kind}: {failure?.GetType().Name ?? "response " + message.Response.Status}", 1, (_, n) => n + 1);
                }
            }
        }
    }

    private sealed class BusyResponse(string clientRequestId) : Response
    {
        private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase)
        {
            ["x-ms-error-code"] = "ServerBusy",
            ["x-ms-client-request-id"] = clientRequestId,
        };

        public override int Status => 503;

        // The transport marks a real answer as an error from its classifier; the retry policy retries only an error.
        public override bool IsError => true;

        public override string ReasonPhrase => "Server Busy (injected)";

        public override Stream? ContentStream { get; set; } = new MemoryStream();

        public override string ClientRequestId { get; set; } = clientRequestId;

        public override void Dispose() => ContentStream?.Dispose();

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => _headers.TryGetValue(name, out value);

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = _headers.TryGetValue(name, out var v) ? [v] : null;
            return values is not null;
        }

        protected override bool ContainsHeader(string name) => _headers.ContainsKey(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => _headers.Select(h => new HttpHeader(h.Key, h.Value));
    }
}
