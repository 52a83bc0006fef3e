using Microsoft.Extensions.Options;

namespace VroegSignalering.Azure.ServiceBus;

/// <summary>Settings of the Service Bus transport, bound from <c>Dispatch:ServiceBus</c>: <see cref="FullyQualifiedNamespace"/> (Microsoft Entra ID, the
/// managed identity in Azure) or <see cref="ConnectionString"/> (shared access key, where one is configured) must be set.</summary>
public sealed class ServiceBusTransportOptions
{
    public const string SectionName = "Dispatch:ServiceBus";
    public const int BrokerMaxBatchMessages = 100; // Service Bus accepts at most 100 messages in one batch
    /// <summary>Each gemeente has its own topic, this prefix and its code (<c>outreach-gm0363</c>): infra/modules/servicebus.bicep names them alike.</summary>
    public string TopicPrefix { get; set; } = "outreach-gm";

    /// <summary>The subscription on each gemeente's topic that its team reads (and whose dead letters operators re-drive).</summary>
    public string Subscription { get; set; } = "tasks";
    public int MaxBatchMessages { get; set; } = BrokerMaxBatchMessages;

    /// <summary>The namespace host, e.g. <c>vroeg-ns.servicebus.windows.net</c>. Selects Microsoft Entra ID.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>A namespace or topic connection string (<c>Endpoint=sb://…/;SharedAccessKeyName=…;SharedAccessKey=…</c>), used instead of Microsoft Entra ID.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Client id of a user-assigned managed identity; without it DefaultAzureCredential is used.</summary>
    public string? ClientId { get; set; }

    /// <summary>The topic's duplicate detection window (infra parameter <c>duplicateDetectionWindow</c>): re-driving a dead letter waits for it.</summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The client's retries (<c>ServiceBusClientOptions.RetryOptions</c>), for every operation: exponential back-off with jitter.</summary>
    public ServiceBusRetrySettings Retry { get; set; } = new();

    /// <summary>The topic of a gemeente (its 4-digit CBS code).</summary>
    public string TopicFor(string gemeentecode) => TopicPrefix.Trim() + gemeentecode;
}

/// <summary>Bound from <c>Dispatch:ServiceBus:Retry</c>; <see cref="TryTimeout"/> is for one attempt, opening the connection included. By default a
/// send gives up within about 47 s (4 × 10 s plus back-off), inside the dispatcher's 1-minute claim on its rows (<c>Dispatch:ClaimLease</c>).</summary>
public sealed class ServiceBusRetrySettings
{
    public int MaxRetries { get; set; } = 3;
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan TryTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

// Checked on start, so a misconfigured app fails before it takes traffic. Every error names its setting; none echoes a secret.
internal sealed class ServiceBusTransportOptionsValidator : IValidateOptions<ServiceBusTransportOptions>
{
    private const string P = ServiceBusTransportOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, ServiceBusTransportOptions options) =>
        Errors(options) is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;

    public static IReadOnlyList<string> Errors(ServiceBusTransportOptions o)
    {
        var (prefix, subscription, fqns, retry) = (o.TopicPrefix?.Trim(), o.Subscription?.Trim(), o.FullyQualifiedNamespace?.Trim(), o.Retry ?? new ServiceBusRetrySettings());
        var cs = string.IsNullOrWhiteSpace(o.ConnectionString) ? null : Parse(o.ConnectionString);
        var (host, entity) = cs is { Malformed: false, Host: { } h, Signs: true, EntityPath: var e } ? (h, e) : (null, null);
        (bool Wrong, string Error)[] checks =
        [
            // Service Bus entity names: letters, digits, '.', '-', '_' (and '/' for a path); the prefix plus 4 digits must fit 260 characters.
            (string.IsNullOrEmpty(prefix) || prefix.Length > 256 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/') || prefix[0] == '/',
                $"{P}TopicPrefix must start the gemeente topics' names, letters, digits, '.', '-', '_' only (default outreach-gm)"),
            (string.IsNullOrEmpty(subscription) || subscription.Length > 50 || !subscription.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'),
                $"{P}Subscription must name the subscription on each gemeente's topic, at most 50 letters, digits, '.', '-', '_' (default tasks)"),
            (cs is { Malformed: true }, $"{P}ConnectionString is malformed: expected name=value pairs separated by ';'"),
            (cs is { Malformed: false, Host: null }, $"{P}ConnectionString needs Endpoint=sb://<namespace>.servicebus.windows.net/"),
            (cs is { Malformed: false, Signs: false }, $"{P}ConnectionString needs both SharedAccessKeyName and SharedAccessKey (or a SharedAccessSignature)"),
            (entity is not null, $"{P}ConnectionString is scoped to entity '{entity}', but the app sends to one topic per gemeente: use a namespace-level connection string (no EntityPath)"),
            (!string.IsNullOrEmpty(fqns) && Uri.CheckHostName(fqns) != UriHostNameType.Dns, $"{P}FullyQualifiedNamespace must be a host name such as vroeg-ns.servicebus.windows.net (no scheme, no path)"),
            (Uri.CheckHostName(fqns) == UriHostNameType.Dns && host is not null && !host.Equals(fqns, StringComparison.OrdinalIgnoreCase), $"{P}FullyQualifiedNamespace '{fqns}' differs from the connection string's endpoint '{host}'"),
            (string.IsNullOrEmpty(fqns) && cs is null,
                $"Dispatch:ServiceBus is not configured: set {P}FullyQualifiedNamespace (Microsoft Entra ID, managed identity) or {P}ConnectionString (shared access key)"),
            (o.MaxBatchMessages is < 1 or > ServiceBusTransportOptions.BrokerMaxBatchMessages, $"{P}MaxBatchMessages must be between 1 and {ServiceBusTransportOptions.BrokerMaxBatchMessages}"),
            (o.DuplicateDetectionWindow < TimeSpan.FromSeconds(20) || o.DuplicateDetectionWindow > TimeSpan.FromDays(7), $"{P}DuplicateDetectionWindow must be between 00:00:20 and 7.00:00:00, as the topics' setting"),

            // The bounds ServiceBusRetryOptions enforces itself, reported here with our setting names.
            (retry.MaxRetries is < 0 or > 100, $"{P}Retry:MaxRetries must be between 0 and 100"),
            (retry.Delay < TimeSpan.FromMilliseconds(1) || retry.Delay > TimeSpan.FromMinutes(5), $"{P}Retry:Delay must be between 00:00:00.001 and 00:05:00"),
            (retry.MaxDelay < retry.Delay, $"{P}Retry:MaxDelay must not be shorter than Retry:Delay"),
            (retry.TryTimeout < TimeSpan.FromSeconds(1) || retry.TryTimeout > TimeSpan.FromHours(1), $"{P}Retry:TryTimeout must be between 00:00:01 and 01:00:00"),
        ];
        return [.. checks.Where(c => c.Wrong).Select(c => c.Error)];
    }

    // Keys are base64 and end in '=': only the first '=' separates name from value. The SDK signs with a key, or uses a ready-made
    // shared access signature as given.
    private static (bool Malformed, string? Host, bool Signs, string? EntityPath)? Parse(string connectionString)
    {
        var pairs = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.Split('=', 2)).ToList();
        string? Value(string name) => pairs.LastOrDefault(p => p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))?[1].Trim() is { Length: > 0 } v ? v : null;
        return pairs.Any(p => p.Length < 2 || p[0].Length == 0) ? (true, null, false, null)
            : (false, Uri.TryCreate(Value("Endpoint"), UriKind.Absolute, out var endpoint) && endpoint.Host.Length > 0 ? endpoint.Host : null,
                (Value("SharedAccessKeyName") is not null && Value("SharedAccessKey") is not null) || Value("SharedAccessSignature") is not null, Value("EntityPath"));
    }
}
