namespace VroegSignalering.Azure.ServiceBus;

// Shared access key from a connection string. The key never appears in messages or logs.
internal sealed record SharedAccessKey(string KeyName, string Key);

// Where messages go and how the transport authenticates, resolved once from the options.
internal sealed record ServiceBusTarget(string NamespaceHost, string Topic, Uri TopicUri, Uri ResourceUri, SharedAccessKey? SharedAccessKey)
{
    /// <summary>Send Message Batch: <c>{topic}/messages</c>.</summary>
    public Uri SendUri => Under("messages");

    /// <summary>A request URI below the topic (TopicUri ends in '/'), e.g. <c>subscriptions/gm0363/$DeadLetterQueue/messages/head</c>.</summary>
    public Uri Under(string relative) => new(TopicUri, relative);

    // Resolves the options, or lists every setting that is wrong (none of them echoes a secret).
    public static (ServiceBusTarget? Target, IReadOnlyList<string> Errors) Resolve(ServiceBusTransportOptions options)
    {
        var errors = new List<string>();
        var topic = options.Topic?.Trim('/', ' ');
        if (string.IsNullOrEmpty(topic))
        {
            errors.Add("Dispatch:ServiceBus:Topic must name the topic to send to (default outreach-tasks)");
        }

        string? host = null;
        SharedAccessKey? key = null;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var parsed = ParseConnectionString(options.ConnectionString, errors);
            if (parsed is not null)
            {
                host = parsed.Value.Host;
                key = parsed.Value.Key;
                if (parsed.Value.EntityPath is { Length: > 0 } entity && topic is not null && !string.Equals(entity, topic, StringComparison.Ordinal))
                {
                    errors.Add($"Dispatch:ServiceBus:ConnectionString is scoped to entity '{entity}' but Topic is '{topic}'");
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace))
        {
            var fqns = options.FullyQualifiedNamespace.Trim();
            if (Uri.CheckHostName(fqns) != UriHostNameType.Dns)
            {
                errors.Add("Dispatch:ServiceBus:FullyQualifiedNamespace must be a host name such as vroeg-ns.servicebus.windows.net (no scheme, no path)");
            }
            else if (host is not null && !string.Equals(host, fqns, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"Dispatch:ServiceBus:FullyQualifiedNamespace '{fqns}' differs from the connection string's endpoint '{host}'");
            }
            else
            {
                host ??= fqns;
            }
        }
        else if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("Dispatch:ServiceBus is not configured: set Dispatch:ServiceBus:FullyQualifiedNamespace (Microsoft Entra ID, managed identity) " +
                       "or Dispatch:ServiceBus:ConnectionString (shared access key)");
        }

        if (options.Endpoint is { IsAbsoluteUri: false })
        {
            errors.Add("Dispatch:ServiceBus:Endpoint must be an absolute URI such as http://127.0.0.1:5000");
        }

        ValidateLimits(options, errors);
        if (errors.Count > 0 || host is null || topic is null)
        {
            return (null, errors);
        }

        host = host.ToLowerInvariant();
        var escapedTopic = string.Join('/', topic.Split('/').Select(Uri.EscapeDataString));
        var resourceUri = new Uri($"https://{host}/{escapedTopic}");
        var baseUri = options.Endpoint ?? new Uri($"https://{host}/");
        var topicUri = new Uri(new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/"), escapedTopic + "/");
        return (new ServiceBusTarget(host, topic, topicUri, resourceUri, key), errors);
    }

    private static (string Host, SharedAccessKey Key, string? EntityPath)? ParseConnectionString(string connectionString, List<string> errors)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Keys are base64 and end in '=': only the first '=' separates name from value.
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                errors.Add("Dispatch:ServiceBus:ConnectionString is malformed: expected name=value pairs separated by ';'");
                return null;
            }

            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (parts.ContainsKey("SharedAccessSignature"))
        {
            errors.Add("Dispatch:ServiceBus:ConnectionString with a ready-made SharedAccessSignature is not supported: use SharedAccessKeyName and SharedAccessKey");
            return null;
        }

        string? host = null;
        if (!parts.TryGetValue("Endpoint", out var endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) || string.IsNullOrEmpty(endpointUri.Host))
        {
            errors.Add("Dispatch:ServiceBus:ConnectionString needs Endpoint=sb://<namespace>.servicebus.windows.net/");
        }
        else
        {
            host = endpointUri.Host;
        }

        parts.TryGetValue("SharedAccessKeyName", out var keyName);
        parts.TryGetValue("SharedAccessKey", out var key);
        if (string.IsNullOrEmpty(keyName) || string.IsNullOrEmpty(key))
        {
            errors.Add("Dispatch:ServiceBus:ConnectionString needs both SharedAccessKeyName and SharedAccessKey");
        }

        if (host is null || string.IsNullOrEmpty(keyName) || string.IsNullOrEmpty(key))
        {
            return null;
        }

        parts.TryGetValue("EntityPath", out var entityPath);
        return (host, new SharedAccessKey(keyName, key), entityPath);
    }

    private static void ValidateLimits(ServiceBusTransportOptions o, List<string> errors)
    {
        const string p = "Dispatch:ServiceBus:";
        if (o.MaxBatchBytes < 1024)
        {
            errors.Add($"{p}MaxBatchBytes must be at least 1024 (Standard tier: {ServiceBusTransportOptions.StandardTierMaxBatchBytes})");
        }

        if (o.MaxBatchMessages is < 1 or > ServiceBusTransportOptions.BrokerMaxBatchMessages)
        {
            errors.Add($"{p}MaxBatchMessages must be between 1 and {ServiceBusTransportOptions.BrokerMaxBatchMessages}");
        }

        // The lower bounds are Polly's own option validation limits, reported here with our setting names.
        if (o.AttemptTimeout < TimeSpan.FromMilliseconds(10))
        {
            errors.Add($"{p}AttemptTimeout must be at least 10 ms");
        }

        if (o.TotalTimeout < o.AttemptTimeout)
        {
            errors.Add($"{p}TotalTimeout must not be shorter than AttemptTimeout");
        }

        // Service Bus allows a duplicate detection history of 20 seconds to 7 days.
        if (o.DuplicateDetectionWindow < TimeSpan.FromSeconds(20) || o.DuplicateDetectionWindow > TimeSpan.FromDays(7))
        {
            errors.Add($"{p}DuplicateDetectionWindow must be between 00:00:20 and 7.00:00:00, as the topic's setting");
        }

        if (o.MaxRetryAttempts is < 0 or > 20)
        {
            errors.Add($"{p}MaxRetryAttempts must be between 0 and 20");
        }

        if (o.BaseRetryDelay < TimeSpan.Zero || o.MaxRetryDelay < o.BaseRetryDelay)
        {
            errors.Add($"{p}BaseRetryDelay must not be negative nor longer than MaxRetryDelay");
        }

        if (o.CircuitBreakerFailureRatio is <= 0 or > 1)
        {
            errors.Add($"{p}CircuitBreakerFailureRatio must be above 0 and at most 1");
        }

        if (o.CircuitBreakerMinimumThroughput < 2)
        {
            errors.Add($"{p}CircuitBreakerMinimumThroughput must be at least 2");
        }

        if (o.CircuitBreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || o.CircuitBreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"{p}CircuitBreakerSamplingDuration and CircuitBreakerBreakDuration must be at least 500 ms");
        }
    }
}
