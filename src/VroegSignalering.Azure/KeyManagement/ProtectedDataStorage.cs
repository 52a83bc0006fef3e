using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;

namespace VroegSignalering.Azure.KeyManagement;

/// <summary>
/// Where ciphertext sits at rest, for key maintenance: signal, outbox and quarantine rows (rewritten with
/// Merge + If-Match, so nothing else on the row changes and a concurrent writer wins), the signals-intake
/// queue (peeked only: its messages are processed within minutes and must not be hidden from the trigger)
/// and its poison queue (received and held invisible for the pass, then made visible again; a rewrap
/// updates a message in place with its pop receipt).
/// </summary>
public sealed class ProtectedDataStorage(TableSet tables, StorageClients storage, HouseholdTableStore households) : IProtectedDataStore
{
    // Peek returns at most 32 messages; the rest of the intake queue is reported as uninspected.
    private const int PeekLimit = 32;

    // Long enough that a pass over a large poison queue does not meet its own messages again.
    private static readonly TimeSpan HoldFor = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, HeldMessage> _held = new(StringComparer.Ordinal);

    public IReadOnlyList<string> EncryptedHolders { get; } =
        [DataHolders.Signals, DataHolders.Outbox, DataHolders.Quarantine, DataHolders.IntakeQueue, DataHolders.IntakePoison];

    private StorageNames Names => tables.Names;

    public IAsyncEnumerable<ProtectedRecord> ScanAsync(string holder, bool withData, CancellationToken cancellationToken) => holder switch
    {
        DataHolders.Signals => ScanHouseholdRowsAsync(holder, "s|", "Personal", id => ProtectionContexts.Signal(id), withData, cancellationToken),
        DataHolders.Outbox => ScanHouseholdRowsAsync(holder, "o|", "Message", id => ProtectionContexts.Outbox(id), withData, cancellationToken),
        DataHolders.Quarantine => ScanQuarantineAsync(withData, cancellationToken),
        DataHolders.IntakeQueue => PeekIntakeAsync(withData, cancellationToken),
        DataHolders.IntakePoison => ScanPoisonAsync(withData, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(holder), holder, "not a holder of encrypted data"),
    };

    public async Task<long> CountUninspectedAsync(string holder, CancellationToken cancellationToken)
    {
        if (holder != DataHolders.IntakeQueue)
        {
            return 0;
        }

        var queue = storage.Queues.GetQueueClient(Names.SignalsIntakeQueue);
        try
        {
            var count = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            return Math.Max(0, count - PeekLimit);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }

    public async Task<bool> ReplaceAsync(ProtectedRecord record, ProtectedPayload replacement, CancellationToken cancellationToken)
    {
        if (record.Version is null)
        {
            return false;
        }

        return record.Holder switch
        {
            DataHolders.Signals => await MergeAsync(record, "Personal", replacement, cancellationToken),
            DataHolders.Outbox => await MergeAsync(record, "Message", replacement, cancellationToken),
            DataHolders.Quarantine => await MergeAsync(record, "Signal", replacement, cancellationToken),
            DataHolders.IntakePoison => await UpdatePoisonAsync(record, replacement, cancellationToken),
            _ => false,
        };
    }

    public IAsyncEnumerable<(string HouseholdKey, StoredSignal Signal)> ScanSignalsAsync(CancellationToken cancellationToken) => households.ScanSignalsAsync(cancellationToken);

    // Rows of one kind across the household tables; Id is "table/partition/row" (none of them may contain '/').
    private async IAsyncEnumerable<ProtectedRecord> ScanHouseholdRowsAsync(
        string holder, string prefix, string dataProperty, Func<string, string> context, bool withData, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var upper = prefix[..^1] + "}";
        IEnumerable<string>? select = withData ? null : ["PartitionKey", "RowKey", "KeyId"];
        foreach (var name in Names.AllHouseholdTables)
        {
            var table = await tables.GetAsync(name, cancellationToken);
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {upper}"), select: select, cancellationToken: cancellationToken))
            {
                yield return Record(holder, name, e, context(e.RowKey[prefix.Length..]), dataProperty, withData);
            }
        }
    }

    private async IAsyncEnumerable<ProtectedRecord> ScanQuarantineAsync(bool withData, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(Names.Quarantine, cancellationToken);
        IEnumerable<string>? select = withData ? null : ["PartitionKey", "RowKey", "KeyId"];
        await foreach (var e in table.QueryAsync<TableEntity>(select: select, cancellationToken: cancellationToken))
        {
            yield return Record(DataHolders.Quarantine, Names.Quarantine, e, ProtectionContexts.Quarantine(e.RowKey), "Signal", withData);
        }
    }

    private static ProtectedRecord Record(string holder, string table, TableEntity e, string context, string dataProperty, bool withData) => new(
        holder,
        $"{table}/{e.PartitionKey}/{e.RowKey}",
        context,
        new ProtectedPayload(e.GetString("KeyId") ?? KeyUsageReport.Undetermined, withData ? e.GetBinary(dataProperty) ?? [] : []),
        e.ETag.ToString());

    private async Task<bool> MergeAsync(ProtectedRecord record, string dataProperty, ProtectedPayload replacement, CancellationToken cancellationToken)
    {
        var parts = record.Id.Split('/', 3);
        var table = await tables.GetAsync(parts[0], cancellationToken);
        try
        {
            await table.UpdateEntityAsync(
                new TableEntity(parts[1], parts[2]) { ["KeyId"] = replacement.KeyId, [dataProperty] = replacement.Data },
                new ETag(record.Version!),
                TableUpdateMode.Merge,
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    // Peeking leaves the messages to the queue trigger; what the peek cannot reach is counted as uninspected.
    private async IAsyncEnumerable<ProtectedRecord> PeekIntakeAsync(bool withData, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var queue = storage.Queues.GetQueueClient(Names.SignalsIntakeQueue);
        if (!await queue.ExistsAsync(cancellationToken))
        {
            yield break;
        }

        foreach (var m in (await queue.PeekMessagesAsync(PeekLimit, cancellationToken)).Value)
        {
            if (Parse(m.Body) is { } message)
            {
                yield return new ProtectedRecord(DataHolders.IntakeQueue, m.MessageId, ProtectionContexts.Chunk(message.ReceiptId, message.Chunk), new ProtectedPayload(message.KeyId, withData ? message.Payload : []), null);
            }
        }
    }

    private async IAsyncEnumerable<ProtectedRecord> ScanPoisonAsync(bool withData, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var queue = PoisonQueue();
        if (!await queue.ExistsAsync(cancellationToken))
        {
            yield break;
        }

        var mine = new List<string>();
        try
        {
            while (true)
            {
                var batch = (await queue.ReceiveMessagesAsync(PeekLimit, HoldFor, cancellationToken)).Value;
                if (batch.Length == 0)
                {
                    break;
                }

                foreach (var m in batch)
                {
                    var message = Parse(m.Body);
                    _held[m.MessageId] = new HeldMessage(m.PopReceipt, message);
                    mine.Add(m.MessageId);
                    if (message is not null)
                    {
                        yield return new ProtectedRecord(
                            DataHolders.IntakePoison,
                            m.MessageId,
                            ProtectionContexts.Chunk(message.ReceiptId, message.Chunk),
                            new ProtectedPayload(message.KeyId, withData ? message.Payload : []),
                            m.PopReceipt);
                    }
                }
            }
        }
        finally
        {
            // Visible again for `vroeg poison list|redrive`; a message already gone is nothing to release.
            foreach (var id in mine)
            {
                if (_held.TryRemove(id, out var held))
                {
                    try
                    {
                        await queue.UpdateMessageAsync(id, held.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
                    }
                    catch (RequestFailedException ex) when (ex.Status is 404 or 400)
                    {
                    }
                }
            }
        }
    }

    private async Task<bool> UpdatePoisonAsync(ProtectedRecord record, ProtectedPayload replacement, CancellationToken cancellationToken)
    {
        if (!_held.TryGetValue(record.Id, out var held) || held.Message is null || held.PopReceipt != record.Version)
        {
            return false;
        }

        var body = JsonSerializer.Serialize(held.Message with { KeyId = replacement.KeyId, Payload = replacement.Data }, QueueJson.Default.SignalChunkMessage);
        try
        {
            var receipt = await PoisonQueue().UpdateMessageAsync(record.Id, held.PopReceipt, body, HoldFor, cancellationToken);
            _held[record.Id] = new HeldMessage(receipt.Value.PopReceipt, held.Message with { KeyId = replacement.KeyId, Payload = replacement.Data });
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            return false;
        }
    }

    private QueueClient PoisonQueue() => storage.Queues.GetQueueClient(Names.SignalsIntakeQueue + "-poison");

    // Anything that is not a signals-intake message is not ours to count or rewrite.
    private static SignalChunkMessage? Parse(BinaryData body)
    {
        try
        {
            return JsonSerializer.Deserialize(body.ToString(), QueueJson.Default.SignalChunkMessage) is { KeyId: not null, Payload: not null, ReceiptId: not null } m ? m : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record HeldMessage(string PopReceipt, SignalChunkMessage? Message);
}
