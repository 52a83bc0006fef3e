using System.Collections.Concurrent;
using Azure.Core;

namespace VroegSignalering.Azure.Tests.ServiceBus;

// Hands out token-1, token-2, ... valid for an hour of the given clock, and records every request.
internal sealed class FakeTokenCredential(TimeProvider time) : TokenCredential
{
    private int _calls;

    public FakeTokenCredential()
        : this(TimeProvider.System)
    {
    }

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<string[]> RequestedScopes { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        Next(requestContext);

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Next(requestContext));

    private AccessToken Next(TokenRequestContext requestContext)
    {
        RequestedScopes.Enqueue(requestContext.Scopes);
        var n = Interlocked.Increment(ref _calls);
        return new AccessToken($"token-{n}", time.GetUtcNow() + Lifetime);
    }
}
