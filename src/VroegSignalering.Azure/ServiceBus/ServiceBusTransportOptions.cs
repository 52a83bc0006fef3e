namespace VroegSignalering.Azure.ServiceBus;

/// <summary>
/// Settings of the Service Bus transport, bound from <c>Dispatch:ServiceBus</c>. Either
/// <see cref="FullyQualifiedNamespace"/> (Microsoft Entra ID: the managed identity in Azure) or
/// <see cref="ConnectionString"/> (shared access key, where one is configured) must be set.
/// </summary>
public sealed class ServiceBusTransportOptions
{
    public const string SectionName = "Dispatch:ServiceBus";

    /// <summary>Service Bus accepts at most 100 messages in one batch.</summary>
    public const int BrokerMaxBatchMessages = 100;

    /// <summary>The namespace host, e.g. <c>vroeg-ns.servicebus.windows.net</c>. Selects Microsoft Entra ID.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    public string Topic { get; set; } = "outreach-tasks";

    /// <summary>
    /// A namespace or topic connection string (<c>Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...</c>).
    /// Used instead of Microsoft Entra ID where it is set.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Client id of a user-assigned managed identity; without it DefaultAzureCredential is used.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// The topic's duplicate detection history window (infra parameter <c>duplicateDetectionWindow</c>, default 1 hour).
    /// A message re-sent within it after its first send is dropped by the broker, so re-driving a dead letter waits for it.
    /// </summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromHours(1);

    public int MaxBatchMessages { get; set; } = BrokerMaxBatchMessages;

    /// <summary>The client's retries (<c>ServiceBusClientOptions.RetryOptions</c>, exponential back-off).</summary>
    public ServiceBusRetrySettings Retry { get; set; } = new();

    internal string TopicName => Topic.Trim('/', ' ');
}

/// <summary>Bound from <c>Dispatch:ServiceBus:Retry</c>; the SDK retries every operation with these.</summary>
public sealed class ServiceBusRetrySettings
{
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first back-off; later ones grow exponentially, with jitter, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may take, opening the connection included.</summary>
    public TimeSpan TryTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
