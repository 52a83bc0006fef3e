using Microsoft.Extensions.Options;

namespace VroegSignalering.Azure.ServiceBus;

// Checked on start, so a misconfigured app fails before it takes traffic rather than at the first send.
internal sealed class ServiceBusTransportOptionsValidator : IValidateOptions<ServiceBusTransportOptions>
{
    private const string Prefix = ServiceBusTransportOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, ServiceBusTransportOptions options)
    {
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // Every setting that is wrong, named with its configuration key; no message echoes a secret.
    public static IReadOnlyList<string> Errors(ServiceBusTransportOptions options)
    {
        var errors = new List<string>();
        var topic = options.Topic?.Trim('/', ' ');
        if (string.IsNullOrEmpty(topic))
        {
            errors.Add($"{Prefix}Topic must name the topic to send to (default outreach-tasks)");
        }

        string? host = null;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (ParseConnectionString(options.ConnectionString, errors) is { } parsed)
            {
                host = parsed.Host;
                if (parsed.EntityPath is { Length: > 0 } entity && !string.IsNullOrEmpty(topic) && !string.Equals(entity, topic, StringComparison.Ordinal))
                {
                    errors.Add($"{Prefix}ConnectionString is scoped to entity '{entity}' but Topic is '{topic}'");
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace))
        {
            var fqns = options.FullyQualifiedNamespace.Trim();
            if (Uri.CheckHostName(fqns) != UriHostNameType.Dns)
            {
                errors.Add($"{Prefix}FullyQualifiedNamespace must be a host name such as vroeg-ns.servicebus.windows.net (no scheme, no path)");
            }
            else if (host is not null && !string.Equals(host, fqns, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{Prefix}FullyQualifiedNamespace '{fqns}' differs from the connection string's endpoint '{host}'");
            }
        }
        else if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add($"Dispatch:ServiceBus is not configured: set {Prefix}FullyQualifiedNamespace (Microsoft Entra ID, managed identity) " +
                       $"or {Prefix}ConnectionString (shared access key)");
        }

        ValidateLimits(options, errors);
        return errors;
    }

    private static (string Host, string? EntityPath)? ParseConnectionString(string connectionString, List<string> errors)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Keys are base64 and end in '=': only the first '=' separates name from value.
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                errors.Add($"{Prefix}ConnectionString is malformed: expected name=value pairs separated by ';'");
                return null;
            }

            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        string? host = null;
        if (!parts.TryGetValue("Endpoint", out var endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) || string.IsNullOrEmpty(endpointUri.Host))
        {
            errors.Add($"{Prefix}ConnectionString needs Endpoint=sb://<namespace>.servicebus.windows.net/");
        }
        else
        {
            host = endpointUri.Host;
        }

        // The SDK signs with a key, or uses a ready-made shared access signature as given.
        var hasKey = parts.TryGetValue("SharedAccessKeyName", out var keyName) && keyName.Length > 0
                     && parts.TryGetValue("SharedAccessKey", out var key) && key.Length > 0;
        var hasSignature = parts.TryGetValue("SharedAccessSignature", out var signature) && signature.Length > 0;
        if (!hasKey && !hasSignature)
        {
            errors.Add($"{Prefix}ConnectionString needs both SharedAccessKeyName and SharedAccessKey (or a SharedAccessSignature)");
        }

        if (host is null || (!hasKey && !hasSignature))
        {
            return null;
        }

        parts.TryGetValue("EntityPath", out var entityPath);
        return (host, entityPath);
    }

    private static void ValidateLimits(ServiceBusTransportOptions o, List<string> errors)
    {
        if (o.MaxBatchMessages is < 1 or > ServiceBusTransportOptions.BrokerMaxBatchMessages)
        {
            errors.Add($"{Prefix}MaxBatchMessages must be between 1 and {ServiceBusTransportOptions.BrokerMaxBatchMessages}");
        }

        // Service Bus allows a duplicate detection history of 20 seconds to 7 days.
        if (o.DuplicateDetectionWindow < TimeSpan.FromSeconds(20) || o.DuplicateDetectionWindow > TimeSpan.FromDays(7))
        {
            errors.Add($"{Prefix}DuplicateDetectionWindow must be between 00:00:20 and 7.00:00:00, as the topic's setting");
        }

        // The bounds ServiceBusRetryOptions enforces itself, reported here with our setting names.
        var retry = o.Retry ?? new ServiceBusRetrySettings();
        if (retry.MaxRetries is < 0 or > 100)
        {
            errors.Add($"{Prefix}Retry:MaxRetries must be between 0 and 100");
        }

        if (retry.Delay < TimeSpan.FromMilliseconds(1) || retry.Delay > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Prefix}Retry:Delay must be between 00:00:00.001 and 00:05:00");
        }

        if (retry.MaxDelay < retry.Delay)
        {
            errors.Add($"{Prefix}Retry:MaxDelay must not be shorter than Retry:Delay");
        }

        if (retry.TryTimeout < TimeSpan.FromSeconds(1) || retry.TryTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"{Prefix}Retry:TryTimeout must be between 00:00:01 and 01:00:00");
        }
    }
}
