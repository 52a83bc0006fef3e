using VroegSignalering.Core.Routing;

namespace VroegSignalering.Azure.Addresses;

/// <summary>
/// Routing in a fixed order: the CBS file first (in memory, no request), then the PDOK Locatieserver for what the file
/// does not route (AddressRegistry:PdokFallback). PDOK's answer counts when it routes; otherwise the address stays
/// ambiguous when either source found it ambiguous, and not found when neither knows it.
/// </summary>
public sealed class FileThenPdokAddressRegistry(CbsFileAddressRegistry file, IAddressRegistry pdok) : IAddressRegistry, IReloadableAddressRegistry
{
    public async ValueTask<RoutingResult> RouteAsync(string postcode, int huisnummer, string? toevoeging, CancellationToken cancellationToken)
    {
        var fromFile = await file.RouteAsync(postcode, huisnummer, toevoeging, cancellationToken);
        if (fromFile.Status == RoutingStatus.Routed)
        {
            return fromFile;
        }

        var fromPdok = await pdok.RouteAsync(postcode, huisnummer, toevoeging, cancellationToken);
        return fromPdok.Status == RoutingStatus.Routed || fromPdok.Status == RoutingStatus.Ambiguous || fromFile.Status != RoutingStatus.Ambiguous
            ? fromPdok
            : fromFile;
    }

    public ValueTask<bool> ReloadIfChangedAsync(CancellationToken cancellationToken) => file.ReloadIfChangedAsync(cancellationToken);
}
