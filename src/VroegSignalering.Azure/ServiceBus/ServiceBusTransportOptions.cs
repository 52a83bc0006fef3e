namespace VroegSignalering.Azure.ServiceBus;

/// <summary>
/// Settings of the Service Bus REST transport, bound from <c>Dispatch:ServiceBus</c>. Either
/// <see cref="FullyQualifiedNamespace"/> (Microsoft Entra ID, managed identity in Azure) or
/// <see cref="ConnectionString"/> (shared access signature) must be set.
/// </summary>
public sealed class ServiceBusTransportOptions
{
    public const string SectionName = "Dispatch:ServiceBus";

    /// <summary>Standard tier limit for one message and for one batch.</summary>
    public const int StandardTierMaxBatchBytes = 262_144;

    /// <summary>Service Bus accepts at most 100 messages per send transaction.</summary>
    public const int BrokerMaxBatchMessages = 100;

    /// <summary>The namespace host, e.g. <c>vroeg-ns.servicebus.windows.net</c>. Selects Entra ID authentication.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    public string Topic { get; set; } = "outreach-tasks";

    /// <summary>
    /// A namespace or topic connection string
    /// (<c>Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...</c>).
    /// Selects shared access signature authentication.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Client id of a user-assigned managed identity; without it DefaultAzureCredential is used.</summary>
    public string? ClientId { get; set; }

    /// <summary>Absolute base URI that replaces <c>https://{namespace}</c> for requests (local listeners in tests).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// The topic's duplicate detection history window (infra parameter <c>duplicateDetectionWindow</c>, default 1 hour).
    /// A message re-sent within it after its first send is dropped by the broker, so re-driving a dead letter waits for it.
    /// </summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Largest request body, brackets and separators included.</summary>
    public int MaxBatchBytes { get; set; } = StandardTierMaxBatchBytes;

    public int MaxBatchMessages { get; set; } = BrokerMaxBatchMessages;

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Budget for one request including all its retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>First backoff delay; later ones grow exponentially with jitter unless the broker sends Retry-After.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts, also for a Retry-After the broker asks for.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of failed attempts within the sampling window that opens the circuit.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
