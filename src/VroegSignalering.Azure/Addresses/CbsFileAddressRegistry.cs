using System.Globalization;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Routing;

namespace VroegSignalering.Azure.Addresses;

/// <summary>
/// Routes with the CBS file. The file has no addition column, so additions never change the route:
/// "12A", "12-a" and "12" all route as house number 12 of the postcode.
/// </summary>
public sealed class CbsFileAddressRegistry : IAddressRegistry, IReloadableAddressRegistry
{
    private readonly string? _path;
    private volatile Lazy<(CbsAddressIndex Index, DateTime WrittenAt, long Length)> _index;

    public CbsFileAddressRegistry(IOptions<AddressRegistryOptions> options)
    {
        var path = options.Value.CbsFile;
        _path = Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
        _index = Loader(_path);
    }

    public CbsFileAddressRegistry(CbsAddressIndex index) => _index = new Lazy<(CbsAddressIndex, DateTime, long)>((index, default, 0));

    /// <summary>The loaded file (loading it on first use).</summary>
    public CbsAddressIndex Index => _index.Value.Index;

    /// <summary>
    /// Reloads when the file's write time or length changed since it was loaded (an operator replaced it). Lookups in
    /// flight keep the index they started with; the next ones use the new one.
    /// </summary>
    public ValueTask<bool> ReloadIfChangedAsync(CancellationToken cancellationToken)
    {
        if (_path is null || !_index.IsValueCreated)
        {
            return ValueTask.FromResult(false);
        }

        var file = new FileInfo(_path);
        var (_, writtenAt, length) = _index.Value;
        if (!file.Exists || (file.LastWriteTimeUtc == writtenAt && file.Length == length))
        {
            return ValueTask.FromResult(false);
        }

        var fresh = Loader(_path);
        _ = fresh.Value;
        _index = fresh;
        return ValueTask.FromResult(true);
    }

    private static Lazy<(CbsAddressIndex, DateTime, long)> Loader(string full) => new(() =>
    {
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"AddressRegistry:CbsFile points at {full}, which does not exist", full);
        }

        var file = new FileInfo(full);
        using var stream = File.OpenRead(full);
        return (CbsAddressIndex.Load(stream), file.LastWriteTimeUtc, file.Length);
    });

    public ValueTask<RoutingResult> RouteAsync(string postcode, int huisnummer, string? toevoeging, CancellationToken cancellationToken)
    {
        var buurt = Index.Find(postcode, huisnummer);
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
