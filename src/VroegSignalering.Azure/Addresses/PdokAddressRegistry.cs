using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Routing;

namespace VroegSignalering.Azure.Addresses;

/// <summary>
/// Routes with the PDOK Locatieserver (<c>/bzk/locatieserver/search/v3_1/free</c>, type adres), which
/// returns gemeentecode, wijkcode and buurtcode per address. Tolerant of addition spelling: an
/// addition matches huisletter + huisnummertoevoeging in any case and separator; without an addition,
/// all variants of the number must share one buurt, otherwise the address is ambiguous.
/// HTTP resilience (retry, timeout, circuit breaker) sits on the named client; answers are cached.
/// </summary>
public sealed class PdokAddressRegistry(IHttpClientFactory httpClients, IMemoryCache cache, IOptions<AddressRegistryOptions> options) : IAddressRegistry
{
    public const string HttpClientName = "pdok-locatieserver";

    public async ValueTask<RoutingResult> RouteAsync(string postcode, int huisnummer, string? toevoeging, CancellationToken cancellationToken)
    {
        var addition = SignalValidator.NormaliseAddition(toevoeging);
        var cacheKey = $"pdok|{postcode}|{huisnummer}|{addition}";
        if (cache.TryGetValue(cacheKey, out RoutingResult? cached) && cached is not null)
        {
            return cached;
        }

        var http = httpClients.CreateClient(HttpClientName);
        var q = Uri.EscapeDataString($"postcode:{postcode} AND huisnummer:{huisnummer.ToString(CultureInfo.InvariantCulture)}");
        var url = new Uri(options.Value.PdokBaseUrl,
            $"bzk/locatieserver/search/v3_1/free?q={q}&fq=type:adres&rows=50&fl=postcode,huisnummer,huisletter,huisnummertoevoeging,gemeentecode,wijkcode,buurtcode");
        using var response = await http.GetAsync(url, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // Not a property of the address: let the message be retried, never quarantine for this.
            throw new HttpRequestException($"PDOK Locatieserver answered {(int)response.StatusCode}", null, response.StatusCode);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var answer = await JsonSerializer.DeserializeAsync(body, PdokJson.Default.PdokAnswer, cancellationToken);
        var docs = (answer?.Response?.Docs ?? [])
            .Where(d => string.Equals(d.Postcode, postcode, StringComparison.OrdinalIgnoreCase) && d.Huisnummer == huisnummer)
            .ToList();
        if (addition is not null)
        {
            var exact = docs.Where(d => SignalValidator.NormaliseAddition((d.Huisletter ?? string.Empty) + (d.Huisnummertoevoeging ?? string.Empty)) == addition).ToList();
            if (exact.Count > 0)
            {
                docs = exact;
            }
        }

        var areas = docs
            .Select(d => (Gemeente: AreaCodeFormat.Gemeente(d.Gemeentecode), Wijk: AreaCodeFormat.Wijk(d.Wijkcode), Buurt: AreaCodeFormat.Buurt(d.Buurtcode)))
            .Where(a => a.Gemeente is not null && a.Wijk is not null && a.Buurt is not null)
            .Distinct()
            .ToList();
        var result = areas.Count switch
        {
            0 => RoutingResult.NotFound("PDOK Locatieserver knows no address with this postcode and house number"),
            1 => RoutingResult.Found(new AreaCodes(areas[0].Gemeente!, areas[0].Wijk!, areas[0].Buurt!)),
            _ => RoutingResult.Ambiguous($"PDOK Locatieserver places this address in {areas.Count} different buurten"),
        };
        cache.Set(cacheKey, result, options.Value.PdokCacheDuration);
        return result;
    }
}

public sealed record PdokAnswer([property: JsonPropertyName("response")] PdokResponse? Response);

public sealed record PdokResponse(
    [property: JsonPropertyName("numFound")] int NumFound,
    [property: JsonPropertyName("docs")] IReadOnlyList<PdokDoc>? Docs);

public sealed record PdokDoc(
    [property: JsonPropertyName("postcode")] string? Postcode,
    [property: JsonPropertyName("huisnummer")] int Huisnummer,
    [property: JsonPropertyName("huisletter")] string? Huisletter,
    [property: JsonPropertyName("huisnummertoevoeging")] string? Huisnummertoevoeging,
    [property: JsonPropertyName("gemeentecode")] string? Gemeentecode,
    [property: JsonPropertyName("wijkcode")] string? Wijkcode,
    [property: JsonPropertyName("buurtcode")] string? Buurtcode);

[JsonSerializable(typeof(PdokAnswer))]
public sealed partial class PdokJson : JsonSerializerContext;
