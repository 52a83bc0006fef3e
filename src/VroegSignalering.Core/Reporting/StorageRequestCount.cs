namespace VroegSignalering.Core.Reporting;

/// <summary>
/// Storage requests (HTTP attempts, retries included) of one pipeline stage, service (table, queue), operation
/// and target (a table family or a queue name), as counted by the app's storage clients.
/// </summary>
public sealed record StorageRequestCount(string Stage, string Service, string Operation, string Target, long Count);
