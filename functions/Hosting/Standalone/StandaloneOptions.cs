namespace VroegSignalering.Functions.Hosting.Standalone;

/// <summary>
/// Standalone mode: no Functions host, the app drives its own timers and storage queues from the same
/// function.json files (section <c>Standalone</c>). It is a local, dev and pilot runner.
/// </summary>
public sealed class StandaloneOptions
{
    public const string Section = "Standalone";

    /// <summary>On unless the Functions host started us (FUNCTIONS_CUSTOMHANDLER_PORT is set).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the app listens in standalone mode.</summary>
    public string Url { get; set; } = "http://127.0.0.1:7071";

    /// <summary>Folder holding host.json and the function folders; default: the app's own folder.</summary>
    public string? AppRoot { get; set; }

    /// <summary>Shortest wait between polls of an empty queue; doubles up to host.json maxPollingInterval.</summary>
    public TimeSpan MinPollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a received message stays invisible to other pollers while its invocation runs.</summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries before a local Service Bus message is dead-lettered (the entity's maxDeliveryCount).</summary>
    public int ServiceBusMaxDeliveryCount { get; set; } = 10;

    /// <summary>Functions not to drive (names); useful to run one stage at a time.</summary>
    public List<string> DisabledFunctions { get; set; } = [];
}
