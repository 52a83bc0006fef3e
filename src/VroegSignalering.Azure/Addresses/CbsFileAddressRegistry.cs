using System.Globalization;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Routing;

namespace VroegSignalering.Azure.Addresses;

/// <summary>
/// Routes with the CBS file. The file has no addition column, so additions never change the route:
/// "12A", "12-a" and "12" all route as house number 12 of the postcode.
/// </summary>
public sealed class CbsFileAddressRegistry : IAddressRegistry
{
    private readonly Lazy<CbsAddressIndex> _index;

    public CbsFileAddressRegistry(IOptions<AddressRegistryOptions> options)
    {
        var path = options.Value.CbsFile;
        var full = Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
        _index = new Lazy<CbsAddressIndex>(() =>
        {
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"AddressRegistry:CbsFile points at {full}, which does not exist", full);
            }

            using var stream = File.OpenRead(full);
            return CbsAddressIndex.Load(stream);
        });
    }

    public CbsFileAddressRegistry(CbsAddressIndex index) => _index = new Lazy<CbsAddressIndex>(index);

    public ValueTask<RoutingResult> RouteAsync(string postcode, int huisnummer, string? toevoeging, CancellationToken cancellationToken)
    {
        var buurt = _index.Value.Find(postcode, huisnummer);
        var result = buurt switch
        {
            null => RoutingResult.NotFound("postcode and house number are not in the CBS address file"),
            CbsAddressIndex.Ambiguous => RoutingResult.Ambiguous("the CBS address file gives this address more than one buurt"),
            { } b => RoutingResult.Found(new AreaCodes(
                (b / 10000).ToString("D4", CultureInfo.InvariantCulture),
                (b / 100).ToString("D6", CultureInfo.InvariantCulture),
                b.ToString("D8", CultureInfo.InvariantCulture))),
        };
        return ValueTask.FromResult(result);
    }
}
