using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Azure.Storage;

/// <summary>
/// Counts every HTTP attempt a storage client makes (added per retry, so a retried request counts each time it
/// is sent) by <see cref="WorkStage.Current"/>, service, operation and target: into a <see cref="StorageRequestTally"/>
/// and the metric <see cref="VroegMetrics.StorageRequests"/>. It reads the method, path, query and If-Match only,
/// never a body, so no personal data can reach a tag.
/// </summary>
internal sealed class StorageRequestCounter : HttpPipelinePolicy
{
    // A meter of its own with the app's meter name: storage clients are built outside dependency injection too
    // (the CLI, the local host, tests), and OpenTelemetry listens by name, so the app exports it all the same.
    private static readonly Meter Meter = new(VroegTelemetry.Name, "1.0");
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        VroegMetrics.StorageRequests, "{request}", "Storage requests (each HTTP attempt), by stage, service, operation and target");

    private readonly string _service;
    private readonly StorageRequestTally _tally;

    public StorageRequestCounter(string service, StorageRequestTally tally)
    {
        _service = service;
        _tally = tally;
    }

    /// <summary>
    /// The path of the service's endpoint (the account segment on the emulator's path-style addresses), stripped
    /// before classifying; set once the client exists, before its first request.
    /// </summary>
    public string BasePath { get; set; } = "/";

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message.Request);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message.Request);
        return ProcessNextAsync(message, pipeline);
    }

    private void Count(Request request)
    {
        var path = request.Uri.Path;
        var relative = path.StartsWith(BasePath, StringComparison.Ordinal) ? path[BasePath.Length..] : path;
        request.Headers.TryGetValue("If-Match", out var ifMatch);
        var (operation, target) = StorageRequestClassifier.Classify(_service, request.Method.Method, relative, request.Uri.Query, ifMatch);
        if (target == StorageRequestClassifier.InBody && StorageRequestTarget.Current is { } hinted)
        {
            target = hinted;
        }
        var stage = WorkStage.Current;
        _tally.Increment(new StorageRequestKey(stage, _service, operation, target));
        if (Requests.Enabled)
        {
            Requests.Add(1, new TagList { { "stage", stage }, { "service", _service }, { "operation", operation }, { "target", target } });
        }
    }
}

/// <summary>What a storage request does, from its method, path (below the account) and query alone.</summary>
public static class StorageRequestClassifier
{
    public const string Table = "table";
    public const string Queue = "queue";

    /// <summary>The target of a request whose table is named only in its body (an entity-group batch, a table creation).</summary>
    public const string InBody = "(in body)";

    // Longest first where one ends another's name; households tables carry a two-hex-digit shard.
    private static readonly string[] TableFamilies = ["receiptchunks", "receipts", "signalrefs", "quarantine", "changes", "outboxindex", "outreachtopic", "creditors"];

    public static (string Operation, string Target) Classify(string service, string method, string relativePath, string? query, string? ifMatch)
    {
        // Escaped as sent: an escaped slash inside a key stays inside its segment.
        var path = relativePath.Trim('/');
        query ??= string.Empty;
        return service == Queue ? ClassifyQueue(method, path, query) : ClassifyTable(method, path, ifMatch);
    }

    /// <summary>
    /// The family of a table name: the 256 <c>households&lt;xx&gt;</c> tables are one family, and whatever
    /// <c>Storage:TablePrefix</c> a deployment or test uses is dropped. A table of no known family is "other".
    /// </summary>
    public static string TableFamily(string table)
    {
        var name = table.ToLowerInvariant();
        if (name.Length >= 12 && char.IsAsciiHexDigit(name[^1]) && char.IsAsciiHexDigit(name[^2]) && name[..^2].EndsWith("households", StringComparison.Ordinal))
        {
            return "households";
        }

        foreach (var family in TableFamilies)
        {
            if (name.EndsWith(family, StringComparison.Ordinal))
            {
                return family;
            }
        }

        return "other";
    }

    private static (string, string) ClassifyTable(string method, string path, string? ifMatch)
    {
        // Table paths have one segment below the account; the emulator's path-style account segment may be left.
        path = path[(path.LastIndexOf('/') + 1)..];
        if (path == "$batch")
        {
            return (method == "POST" ? "batch" : "other", InBody);
        }

        var paren = path.IndexOf('(', StringComparison.Ordinal);
        var name = paren < 0 ? path : path[..paren];
        var keys = paren < 0 ? string.Empty : path[(paren + 1)..].TrimEnd(')');
        if (name == "Tables")
        {
            // Creating names the table in the body; deleting one, or listing them, is table management.
            return method == "POST" ? ("create-table", InBody) : ("other", keys.Length > 0 ? TableFamily(keys.Trim('\'')) : "tables");
        }

        var target = name.Length == 0 ? "account" : TableFamily(name);
        var pointEntity = keys.Contains("PartitionKey=", StringComparison.Ordinal) && keys.Contains("RowKey=", StringComparison.Ordinal);
        var conditional = !string.IsNullOrEmpty(ifMatch) && ifMatch != "*";
        var operation = method switch
        {
            "GET" when pointEntity => "get",
            "GET" when name.Length > 0 => "query",
            "POST" when !pointEntity && name.Length > 0 => "insert",
            "PUT" or "PATCH" or "MERGE" when pointEntity => conditional ? "update" : "upsert",
            "DELETE" when pointEntity => "delete",
            _ => "other",
        };
        return (operation, target);
    }

    private static (string, string) ClassifyQueue(string method, string path, string query)
    {
        var segments = path.Length == 0 ? [] : path.Split('/');
        if (segments.Length == 0)
        {
            return ("other", "account");
        }

        var target = segments[0];
        var operation = segments.Length switch
        {
            1 when method == "PUT" && !query.Contains("comp=", StringComparison.Ordinal) => "create-queue",
            1 when method is "GET" or "HEAD" && query.Contains("comp=metadata", StringComparison.Ordinal) => "properties",
            2 when segments[1] == "messages" && method == "POST" => "send",
            2 when segments[1] == "messages" && method == "GET" && query.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase) => "peek",
            2 when segments[1] == "messages" && method == "GET" => "receive",
            3 when segments[1] == "messages" && method == "DELETE" => "delete-message",
            3 when segments[1] == "messages" && method == "PUT" => "update-message",
            _ => "other",
        };
        return (operation, target);
    }
}
