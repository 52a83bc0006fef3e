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

    private StorageClients(Func<QueueClientOptions, QueueServiceClient> queues, TableServiceClient tables)
    {
        Queues = queues(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        RawQueues = queues(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        Tables = tables;
    }

    /// <summary>Queue messages base64 encoded, as the Functions queue trigger expects by default.</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>Queue messages as stored, for code that decodes them itself (the local host's queue listener).</summary>
    public QueueServiceClient RawQueues { get; }

    public TableServiceClient Tables { get; }

    public static StorageClients FromConfiguration(IConfiguration configuration, string connectionName = DefaultConnectionName)
    {
        var connectionString = configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return FromConnectionString(connectionString);
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
            new TableServiceClient(new Uri(tableUri), credential));
    }

    public static StorageClients FromConnectionString(string connectionString) => FromConnectionString(connectionString, _ => { });

    /// <summary>The same with adjusted client options (retries, extra pipeline policies), e.g. to inject faults in tests.</summary>
    internal static StorageClients FromConnectionString(string connectionString, Action<ClientOptions> configure)
    {
        var tableOptions = new TableClientOptions();
        configure(tableOptions);
        return new StorageClients(
            options =>
            {
                configure(options);
                return new QueueServiceClient(connectionString, options);
            },
            new TableServiceClient(connectionString, tableOptions));
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
