namespace VroegSignalering.LocalHost;

/// <summary>Settings of the local host (section <c>LocalHost</c>).</summary>
public sealed class LocalHostOptions
{
    public const string Section = "LocalHost";

    /// <summary>Where the local host listens, unless ASP.NET Core's own <c>urls</c> setting says otherwise.</summary>
    public string Url { get; set; } = "http://127.0.0.1:7071";

    /// <summary>Run the queue and timer triggers; off in tests, which drive them one step at a time.</summary>
    public bool RunTriggers { get; set; } = true;

    /// <summary>Folder holding functions.metadata and host.json; default: the local host's own folder.</summary>
    public string? AppRoot { get; set; }

    /// <summary>Shortest wait between polls of an empty queue; doubles up to host.json maxPollingInterval.</summary>
    public TimeSpan MinPollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a received message stays invisible while its invocation runs (the host renews it; this host does not, so it is at least functionTimeout).</summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Functions not to drive (names); useful to run one stage at a time.</summary>
    public List<string> DisabledFunctions { get; set; } = [];
}
