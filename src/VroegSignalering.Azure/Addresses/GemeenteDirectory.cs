using Microsoft.Extensions.Options;
using VroegSignalering.Core.Quarantine;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Azure.Addresses;

/// <summary>
/// The gemeenten a signal may be assigned to by hand: those the CBS address file holds addresses in, and those with
/// their own triage settings (Triage:Gemeenten). A code in neither is a typo or a gemeente this deployment does not serve.
/// </summary>
public sealed class GemeenteDirectory(IServiceProvider services, IOptions<AddressRegistryOptions> addresses, IOptionsMonitor<TriageOptions> triage) : IGemeenteDirectory
{
    public bool IsKnown(string gemeentecode)
    {
        if (AreaCodeFormat.Gemeente(gemeentecode) is not { } code)
        {
            return false;
        }

        if (triage.CurrentValue.Gemeenten.ContainsKey(code))
        {
            return true;
        }

        // Only when the file is in use: a PDOK-only deployment may have no file at all.
        return addresses.Value.Source == AddressSource.CbsFile
            && services.GetService(typeof(CbsFileAddressRegistry)) is CbsFileAddressRegistry file
            && file.Index.Gemeenten.Contains(code);
    }
}
