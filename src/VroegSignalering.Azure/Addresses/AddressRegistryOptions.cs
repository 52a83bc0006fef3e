namespace VroegSignalering.Azure.Addresses;

public enum AddressSource
{
    /// <summary>The CBS "postcode-huisnummer → buurt, wijk, gemeente" file, loaded into memory.</summary>
    CbsFile,

    /// <summary>The PDOK Locatieserver HTTP API (free), with caching and resilience.</summary>
    Pdok,
}

/// <summary>Section <c>AddressRegistry</c>.</summary>
public sealed class AddressRegistryOptions
{
    public const string Section = "AddressRegistry";

    public AddressSource Source { get; set; } = AddressSource.CbsFile;

    /// <summary>Path of the CBS file (<c>pc6hnr&lt;YYYY&gt;0801_gwb.csv</c>), relative to the app folder or absolute.</summary>
    public string CbsFile { get; set; } = "data/addresses/pc6hnr20260801_gwb.csv";

    /// <summary>
    /// With <see cref="Source"/> CbsFile: ask the PDOK Locatieserver for an address the CBS file does not route (not
    /// found, or ambiguous: PDOK knows additions, the file does not). The file is asked first, always; PDOK only when
    /// this is on. Off by default: PDOK is an outside service, and a deployment opts in to calling it.
    /// </summary>
    public bool PdokFallback { get; set; }

    public Uri PdokBaseUrl { get; set; } = new("https://api.pdok.nl/");

    /// <summary>How long a PDOK answer is reused.</summary>
    public TimeSpan PdokCacheDuration { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan PdokTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Base delay of the jittered exponential back-off between retries.</summary>
    public TimeSpan PdokRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
