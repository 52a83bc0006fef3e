using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Azure.Telemetry;

/// <summary>Section <c>Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Also write traces and metrics to the console (local debugging).</summary>
    public bool Console { get; set; }
}

/// <summary>
/// Reads the app's storage queues (and their <c>-poison</c> queues) and the quarantine table for the
/// pipeline sample: lengths, and the insertion time of the oldest message or quarantined signal. Peeks
/// and selects timestamps only; no body is read.
/// </summary>
public sealed class StoragePipelineProbe(StorageClients storage, StorageNames names, TableSet tables) : IPipelineProbe
{
    public async Task<IReadOnlyList<QueueReading>> ReadQueuesAsync(CancellationToken cancellationToken)
    {
        var readings = new List<QueueReading>();
        foreach (var name in new[] { names.SignalsIntakeQueue, names.DispatchQueue })
        {
            var (length, oldest) = await MeasureAsync(storage.Queues.GetQueueClient(name), cancellationToken);
            var (poison, oldestPoison) = await MeasureAsync(storage.Queues.GetQueueClient(name + "-poison"), cancellationToken);
            readings.Add(new QueueReading(name, length, oldest, poison, oldestPoison));
        }

        return readings;
    }

    public async Task<QuarantineReading> ReadQuarantineAsync(DateTimeOffset overdueBefore, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(names.Quarantine, cancellationToken);
        long count = 0, overdue = 0;
        DateTimeOffset? oldest = null;
        await foreach (var e in table.QueryAsync<TableEntity>(select: ["QuarantinedAt"], cancellationToken: cancellationToken))
        {
            count++;
            if (e.GetDateTimeOffset("QuarantinedAt") is not { } at)
            {
                continue;
            }

            oldest = oldest is { } o && o <= at ? o : at;
            overdue += at < overdueBefore ? 1 : 0;
        }

        return new QuarantineReading(count, oldest, overdue);
    }

    // A queue the host has not created yet (no message ever poisoned) is empty, not an error.
    private static async Task<(long Length, DateTimeOffset? Oldest)> MeasureAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await queue.GetPropertiesAsync(cancellationToken);
            var peeked = await queue.PeekMessageAsync(cancellationToken);
            return (properties.Value.ApproximateMessagesCount, peeked.Value?.InsertedOn);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (0, null);
        }
    }
}
