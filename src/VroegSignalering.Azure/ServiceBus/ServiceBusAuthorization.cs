using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;

namespace VroegSignalering.Azure.ServiceBus;

// The Authorization header value for Service Bus requests, cached until five minutes before it expires.
// Concurrent callers share one fetch; a caller whose header was rejected (401) gets a fresh one, unless
// another caller has already replaced it, so a burst of 401s costs one refresh, not one per batch.
internal abstract class ServiceBusAuthorization(TimeProvider time)
{
    internal static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile CachedHeader? _cached;

    protected TimeProvider Time { get; } = time;

    // rejected: the header value the broker just answered 401 to, or null.
    public async ValueTask<string> GetHeaderValueAsync(string? rejected, CancellationToken cancellationToken)
    {
        var cached = _cached;
        if (IsUsable(cached, rejected))
        {
            return cached!.Value;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cached = _cached;
            if (IsUsable(cached, rejected))
            {
                return cached!.Value;
            }

            cached = await CreateAsync(cancellationToken).ConfigureAwait(false);
            _cached = cached;
            return cached.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Sends with the current header; when the broker answers 401, fetches a fresh header once and sends again
    /// (a discarded first answer is disposed). <c>RejectedAgain</c>: the second answer was a 401 too, which
    /// no further refresh fixes (a missing role assignment or right).
    /// </summary>
    public async Task<(T Result, bool RejectedAgain)> SendRefreshingOnceAsync<T>(
        Func<string, Task<T>> send, Func<T, bool> isUnauthorized, Action onRefresh, CancellationToken cancellationToken)
    {
        string? rejected = null;
        while (true)
        {
            var header = await GetHeaderValueAsync(rejected, cancellationToken).ConfigureAwait(false);
            var result = await send(header).ConfigureAwait(false);
            if (!isUnauthorized(result))
            {
                return (result, false);
            }

            if (rejected is not null)
            {
                return (result, true);
            }

            (result as IDisposable)?.Dispose();
            onRefresh();
            rejected = header;
        }
    }

    protected abstract ValueTask<CachedHeader> CreateAsync(CancellationToken cancellationToken);

    private bool IsUsable(CachedHeader? cached, string? rejected) =>
        cached is not null
        && !string.Equals(cached.Value, rejected, StringComparison.Ordinal)
        && Time.GetUtcNow() < cached.ExpiresOn - RefreshMargin;

    protected sealed record CachedHeader(string Value, DateTimeOffset ExpiresOn);
}

// Microsoft Entra ID bearer tokens (managed identity in Azure) for the Service Bus data plane.
internal sealed class EntraIdAuthorization(TokenCredential credential, TimeProvider time) : ServiceBusAuthorization(time)
{
    internal const string Scope = "https://servicebus.azure.net/.default";
    private static readonly TokenRequestContext Request = new([Scope]);

    protected override async ValueTask<CachedHeader> CreateAsync(CancellationToken cancellationToken)
    {
        // Bypassing our cache does not bypass the credential's own (MSAL) cache: after a 401 it may hand back
        // the same token. That is fine: a second 401 then means a missing role assignment, which no retry fixes.
        var token = await credential.GetTokenAsync(Request, cancellationToken).ConfigureAwait(false);
        return new CachedHeader("Bearer " + token.Token, token.ExpiresOn);
    }
}

// Shared access signatures signed with a key from the connection string. Format and string-to-sign follow
// "Service Bus access control with Shared Access Signatures" (learn.microsoft.com/azure/service-bus-messaging/service-bus-sas):
// SharedAccessSignature sr={URL-encoded resourceURI}&sig={URL-encoded base64 HMAC-SHA256}&se={unix expiry}&skn={key name},
// string-to-sign {URL-encoded resourceURI}\n{expiry}, where the resource URI is the full URI of the entity
// ("http://<namespace>.servicebus.windows.net/<entityPath>"; the HTTP example there signs
// https%3A%2F%2F<namespace>.servicebus.windows.net%2F<entity>). The HMAC key is the UTF-8 bytes of the
// key text as given, not its base64 decoding, as in the documented C# sample and Azure.Messaging.ServiceBus.
internal sealed class SharedAccessSignatureAuthorization(Uri resourceUri, SharedAccessKey key, TimeProvider time) : ServiceBusAuthorization(time)
{
    internal static readonly TimeSpan Validity = TimeSpan.FromHours(1);

    protected override ValueTask<CachedHeader> CreateAsync(CancellationToken cancellationToken)
    {
        var expiresOn = Time.GetUtcNow() + Validity;
        return ValueTask.FromResult(new CachedHeader(Create(resourceUri, key, expiresOn), expiresOn));
    }

    internal static string Create(Uri resourceUri, SharedAccessKey key, DateTimeOffset expiresOn)
    {
        var resource = WebUtility.UrlEncode(resourceUri.AbsoluteUri);
        var expiry = expiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.Key), Encoding.UTF8.GetBytes(resource + "\n" + expiry)));
        return $"SharedAccessSignature sr={resource}&sig={WebUtility.UrlEncode(signature)}&se={expiry}&skn={WebUtility.UrlEncode(key.KeyName)}";
    }
}
