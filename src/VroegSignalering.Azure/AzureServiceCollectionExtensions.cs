using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Health;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.Azure;

public static class AzureServiceCollectionExtensions
{
    /// <summary>Registers the Azure adapters: storage clients and their health checks.</summary>
    public static IServiceCollection AddVroegAzure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => StorageClients.FromConfiguration(configuration));
        services.AddHealthChecks()
            .AddCheck<TableStorageHealthCheck>("tables", tags: ["storage"], timeout: TimeSpan.FromSeconds(3))
            .AddCheck<QueueStorageHealthCheck>("queues", tags: ["storage"], timeout: TimeSpan.FromSeconds(3));
        return services;
    }
}
