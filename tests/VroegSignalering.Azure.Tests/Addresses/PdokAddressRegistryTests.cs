using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VroegSignalering.Azure.Addresses;
using VroegSignalering.Core.Routing;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Addresses;

/// <summary>
/// The PDOK Locatieserver adapter against an in-process listener that answers with the shape of the
/// real /free endpoint (response.docs with postcode, huisnummer, huisletter, huisnummertoevoeging,
/// gemeentecode, wijkcode "WK…" and buurtcode "BU…").
/// </summary>
public sealed class PdokAddressRegistryTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _queries = new();
    private readonly ConcurrentQueue<int> _failuresFirst = new();
    private WebApplication? _server;
    private ServiceProvider? _services;

    private IAddressRegistry Registry => _services!.GetRequiredService<IAddressRegistry>();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/bzk/locatieserver/search/v3_1/free", (HttpContext context) =>
        {
            var q = context.Request.Query["q"].ToString();
            _queries.Enqueue(q + "|" + context.Request.Query["fq"]);
            if (_failuresFirst.TryDequeue(out var status))
            {
                return Results.StatusCode(status);
            }

            return Results.Text(Answer(q), "application/json");
        });
        await _server.StartAsync();
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["AddressRegistry:Source"] = "Pdok",
            ["AddressRegistry:PdokBaseUrl"] = address + "/",
            ["AddressRegistry:PdokTimeout"] = "00:00:02",
            ["AddressRegistry:PdokRetryDelay"] = "00:00:00.010",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddVroegAzure(configuration);
        _services = services.BuildServiceProvider();
    }

    [Fact]
    public async Task An_address_pdok_knows_routes_to_its_gemeente_wijk_and_buurt()
    {
        var result = await Registry.RouteAsync("1011AB", 12, null, CancellationToken.None);

        Assert.Equal(RoutingStatus.Routed, result.Status);
        Assert.Equal(new AreaCodes("0363", "036301", "03630101"), result.Area);
        Assert.Contains("postcode:1011AB AND huisnummer:12|type:adres", _queries);
    }

    [Fact]
    public async Task An_addition_matches_huisletter_and_toevoeging_in_any_spelling()
    {
        var lower = await Registry.RouteAsync("1011AC", 5, "a-1", CancellationToken.None);
        var other = await Registry.RouteAsync("1011AC", 5, "B", CancellationToken.None);

        Assert.Equal("03630102", lower.Area!.Buurtcode);
        Assert.Equal("03630103", other.Area!.Buurtcode);
    }

    [Fact]
    public async Task A_number_whose_additions_lie_in_different_buurten_is_ambiguous_without_an_addition()
    {
        var result = await Registry.RouteAsync("1011AC", 5, null, CancellationToken.None);

        Assert.Equal(RoutingStatus.Ambiguous, result.Status);
    }

    [Fact]
    public async Task An_address_pdok_does_not_know_is_not_found()
    {
        var result = await Registry.RouteAsync("9999ZZ", 1, null, CancellationToken.None);

        Assert.Equal(RoutingStatus.NotFound, result.Status);
    }

    [Fact]
    public async Task Answers_are_cached()
    {
        await Registry.RouteAsync("3011AA", 7, null, CancellationToken.None);
        await Registry.RouteAsync("3011AA", 7, null, CancellationToken.None);

        Assert.Single(_queries, q => q.StartsWith("postcode:3011AA AND huisnummer:7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transient_failure_is_retried_by_the_resilience_handler()
    {
        _failuresFirst.Enqueue(503);

        var result = await Registry.RouteAsync("3011AA", 8, null, CancellationToken.None);

        Assert.Equal(RoutingStatus.Routed, result.Status);
        Assert.Equal(2, _queries.Count(q => q.StartsWith("postcode:3011AA AND huisnummer:8", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_lasting_failure_throws_so_the_message_is_retried_rather_than_the_signal_quarantined()
    {
        for (var i = 0; i < 10; i++)
        {
            _failuresFirst.Enqueue(500);
        }

        var ex = await Assert.ThrowsAnyAsync<Exception>(async () => await Registry.RouteAsync("3011AA", 9, null, CancellationToken.None));
        Assert.True(VroegSignalering.Azure.Storage.TransientFailure.IsTransient(ex), ex.GetType().Name);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
    }

    // Recorded shape of the Locatieserver answer; the addresses and codes are synthetic.
    private static string Answer(string q)
    {
        static string Doc(string pc, int nr, string? letter, string? toevoeging, string gemeente, string wijk, string buurt) =>
            $$"""{"type":"adres","weergavenaam":"Proefstraat {{nr}}, {{pc}} Teststad","postcode":"{{pc}}","huisnummer":{{nr}}{{(letter is null ? "" : $",\"huisletter\":\"{letter}\"")}}{{(toevoeging is null ? "" : $",\"huisnummertoevoeging\":\"{toevoeging}\"")}},"gemeentecode":"{{gemeente}}","gemeentenaam":"Teststad","wijkcode":"{{wijk}}","buurtcode":"{{buurt}}","id":"adr-x"}""";
        var docs = q switch
        {
            "postcode:1011AB AND huisnummer:12" => [Doc("1011AB", 12, null, null, "0363", "WK036301", "BU03630101")],
            "postcode:1011AC AND huisnummer:5" =>
            [
                Doc("1011AC", 5, "A", "1", "0363", "WK036301", "BU03630102"),
                Doc("1011AC", 5, "B", null, "0363", "WK036301", "BU03630103"),
            ],
            _ when q.StartsWith("postcode:3011AA", StringComparison.Ordinal) => [Doc("3011AA", int.Parse(q.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture), null, null, "0599", "WK059901", "BU05990101")],
            _ => Array.Empty<string>(),
        };
        return "{\"response\":{\"numFound\":" + docs.Length + ",\"start\":0,\"maxScore\":10.1,\"numFoundExact\":true,\"docs\":[" + string.Join(',', docs) + "]}}";
    }
}
