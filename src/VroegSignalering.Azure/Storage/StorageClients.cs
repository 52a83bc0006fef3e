using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace VroegSignalering.Azure.Storage;

/// <summary>
/// Storage clients for one Functions-style connection setting (default <c>AzureWebJobsStorage</c>), so the
/// app reads exactly what the host reads: either a connection string, or identity-based settings
/// (<c>AzureWebJobsStorage__queueServiceUri</c>, <c>__tableServiceUri</c> or <c>__accountName</c>,
/// with <c>__credential=managedidentity</c> and <c>__clientId</c> for a user-assigned identity).
/// </summary>
public sealed class StorageClients
{
    public const string DefaultConnectionName = "AzureWebJobsStorage";

    private StorageClients(Func<QueueClientOptions, QueueServiceClient> queues, Func<TableClientOptions, TableServiceClient> tables, Action<ClientOptions> configure, StorageRequestTally tally)
    {
        Queues = Counted(queues, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, configure, StorageRequestClassifier.Queue, tally, c => c.Uri);
        RawQueues = Counted(queues, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None }, configure, StorageRequestClassifier.Queue, tally, c => c.Uri);
        Tables = Counted(tables, new TableClientOptions(), configure, StorageRequestClassifier.Table, tally, c => c.Uri);
    }

    /// <summary>Queue messages base64 encoded, as the Functions queue trigger expects by default.</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>Queue messages as stored, for code that decodes them itself (the local host's queue listener).</summary>
    public QueueServiceClient RawQueues { get; }

    public TableServiceClient Tables { get; }

    /// <summary>
    /// The clients of <paramref name="connectionName"/>; every request they send is counted in <paramref name="tally"/>
    /// (default: <see cref="StorageRequestTally.Process"/>).
    /// </summary>
    public static StorageClients FromConfiguration(IConfiguration configuration, string connectionName = DefaultConnectionName, StorageRequestTally? tally = null)
    {
        var connectionString = configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return FromConnectionString(connectionString, _ => { }, tally ?? StorageRequestTally.Process);
        }

        var section = configuration.GetSection(connectionName);
        var account = section["accountName"];
        var queueUri = section["queueServiceUri"] ?? (account is null ? null : $"https://{account}.queue.core.windows.net");
        var tableUri = section["tableServiceUri"] ?? (account is null ? null : $"https://{account}.table.core.windows.net");
        if (queueUri is null || tableUri is null)
        {
            throw new InvalidOperationException(
                $"storage connection '{connectionName}' is not configured: set {connectionName} to a connection string, " +
                $"or {connectionName}__accountName (or __queueServiceUri and __tableServiceUri) for identity-based access");
        }

        var credential = CreateCredential(section["credential"], section["clientId"]);
        return new StorageClients(
            options => new QueueServiceClient(new Uri(queueUri), credential, options),
            options => new TableServiceClient(new Uri(tableUri), credential, options),
            _ => { },
            tally ?? StorageRequestTally.Process);
    }

    public static StorageClients FromConnectionString(string connectionString) => FromConnectionString(connectionString, _ => { });

    /// <summary>The same with adjusted client options (retries, extra pipeline policies), e.g. to inject faults in tests.</summary>
    internal static StorageClients FromConnectionString(string connectionString, Action<ClientOptions> configure) =>
        FromConnectionString(connectionString, configure, StorageRequestTally.Process);

    /// <summary>The same, counting into <paramref name="tally"/> (a test's own, so parallel tests do not mix their counts).</summary>
    internal static StorageClients FromConnectionString(string connectionString, Action<ClientOptions> configure, StorageRequestTally tally) =>
        new(
            options => new QueueServiceClient(connectionString, options),
            options => new TableServiceClient(connectionString, options),
            configure,
            tally);

    // The counter goes in before the caller's policies, so a fault a test injects per retry (standing in for the
    // service's answer) is counted as the request it replaces; its base path is known once the client exists.
    private static TClient Counted<TClient, TOptions>(Func<TOptions, TClient> create, TOptions options, Action<ClientOptions> configure, string service, StorageRequestTally tally, Func<TClient, Uri> uri)
        where TOptions : ClientOptions
    {
        var counter = new StorageRequestCounter(service, tally);
        options.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        configure(options);
        var client = create(options);
        counter.BasePath = uri(client).AbsolutePath;
        return client;
    }

    internal static TokenCredential CreateCredential(string? credential, string? clientId)
    {
        if (string.Equals(credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrEmpty(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }
}
