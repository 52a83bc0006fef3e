using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.ServiceBus;

namespace VroegSignalering.Azure.Tests.ServiceBus;

public class ServiceBusAuthorizationTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_shared_access_signature_matches_an_independently_computed_one()
    {
        // Expected value computed outside .NET (Python hmac/urllib) from the documented string-to-sign.
        var header = SharedAccessSignatureAuthorization.Create(
            new Uri("https://vroeg-ns.servicebus.windows.net/outreach-tasks"),
            new SharedAccessKey(TransportHarness.KeyName, TransportHarness.Key),
            DateTimeOffset.FromUnixTimeSeconds(1772442000));

        Assert.Equal(
            "SharedAccessSignature sr=https%3A%2F%2Fvroeg-ns.servicebus.windows.net%2Foutreach-tasks" +
            "&sig=jC0xcjWAZW%2FBbXoCHVy1L5JiC9CU4RVZtzqTV8yI5%2FM%3D&se=1772442000&skn=dispatch-send",
            header);
    }

    [Fact]
    public async Task A_signature_is_reused_for_55_minutes_and_then_renewed()
    {
        var time = new FakeTimeProvider(Now);
        var authorization = new SharedAccessSignatureAuthorization(
            new Uri("https://vroeg-ns.servicebus.windows.net/outreach-tasks"), new SharedAccessKey("k", "secret"), time);

        var first = await authorization.GetHeaderValueAsync(null, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(54));
        var second = await authorization.GetHeaderValueAsync(null, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1));
        var third = await authorization.GetHeaderValueAsync(null, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.NotEqual(first, third);
        Assert.Contains($"se={(Now + TimeSpan.FromMinutes(115)).ToUnixTimeSeconds()}", third, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_token_is_replaced_and_the_credential_asked_again()
    {
        var credential = new FakeTokenCredential();
        var authorization = new EntraIdAuthorization(credential, TimeProvider.System);

        var first = await authorization.GetHeaderValueAsync(null, CancellationToken.None);
        var cached = await authorization.GetHeaderValueAsync(null, CancellationToken.None);
        var refreshed = await authorization.GetHeaderValueAsync(first, CancellationToken.None);

        Assert.Equal(["Bearer token-1", "Bearer token-1", "Bearer token-2"], [first, cached, refreshed]);
        Assert.Equal(2, credential.Calls);
    }

    [Fact]
    public async Task Callers_rejected_with_an_already_replaced_token_share_the_one_refresh()
    {
        var credential = new FakeTokenCredential();
        var authorization = new EntraIdAuthorization(credential, TimeProvider.System);
        var first = await authorization.GetHeaderValueAsync(null, CancellationToken.None);

        var refreshes = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => authorization.GetHeaderValueAsync(first, CancellationToken.None).AsTask()));

        Assert.All(refreshes, r => Assert.Equal("Bearer token-2", r));
        Assert.Equal(2, credential.Calls);
    }
}
