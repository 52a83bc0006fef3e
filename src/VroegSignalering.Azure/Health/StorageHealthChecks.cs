using Microsoft.Extensions.Diagnostics.HealthChecks;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.Azure.Health;

/// <summary>Table service reachable and answering with our credentials.</summary>
public sealed class TableStorageHealthCheck(StorageClients storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in storage.Tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
            {
                break;
            }

            return HealthCheckResult.Healthy("table service reachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"table service unreachable ({ex.GetType().Name})");
        }
    }
}

/// <summary>Queue service reachable and answering with our credentials.</summary>
public sealed class QueueStorageHealthCheck(StorageClients storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in storage.Queues.GetQueuesAsync(cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
            {
                break;
            }

            return HealthCheckResult.Healthy("queue service reachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"queue service unreachable ({ex.GetType().Name})");
        }
    }
}
