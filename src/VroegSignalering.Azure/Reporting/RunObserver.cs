using Azure;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Azure.Reporting;

/// <summary>How far the pipeline got, from cheap reads (for waiting with a progress line).</summary>
public sealed record PipelineProgress(
    int Receipts,
    int ChunksExpected,
    int ChunksProcessed,
    int IntakeQueue,
    int HouseholdsToTriage,
    int DispatchQueue,
    int OutboxPending,
    int OutboxFailed)
{
    /// <summary>Every accepted signal processed, every household triaged, every task sent (or failed for good).</summary>
    public bool Settled => Receipts > 0 && ChunksProcessed >= ChunksExpected && IntakeQueue == 0 && HouseholdsToTriage == 0 && DispatchQueue == 0 && OutboxPending == 0;
}

/// <summary>
/// Reads a run back from storage and the queues (full scans: for local runs, pilots and reports, not a
/// hot path). The local topic is read through LocalTopic, so nothing is consumed.
/// </summary>
public sealed class RunObserver(StorageClients storage, StorageNames names, LocalTopic topic, TableSet tables, HouseholdTableStore households, ReceiptTableStore receipts, QuarantineTableStore quarantine, ChangeFeedTable changes, OutboxIndexTable outbox, OutcomeTableStore outcomes, FeedbackTableStore feedback, VroegSignalering.Azure.Retention.RetainedAggregateTable retained)
{
    /// <summary>
    /// How far the pipeline got. Counting the households still to triage reads the whole change feed,
    /// which the emulator answers page by page with a full scan each; without <paramref name="countHouseholds"/>
    /// only whether any is left is read (one request), reported as 0 or 1.
    /// </summary>
    public async Task<PipelineProgress> ProgressAsync(CancellationToken cancellationToken, bool countHouseholds = true)
    {
        var receiptCount = 0;
        var expected = 0;
        var chunkTable = await tables.GetAsync(names.Receipts, cancellationToken);
        await foreach (var e in chunkTable.QueryAsync<global::Azure.Data.Tables.TableEntity>(select: ["Chunks"], cancellationToken: cancellationToken))
        {
            receiptCount++;
            expected += e.GetInt32("Chunks") ?? 0;
        }

        var processed = 0;
        var chunks = await tables.GetAsync(names.ReceiptChunks, cancellationToken);
        await foreach (var _ in chunks.QueryAsync<global::Azure.Data.Tables.TableEntity>(select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            processed++;
        }

        var pending = 0;
        await foreach (var _ in outbox.ListAsync(OutboxIndexState.Pending, DateTimeOffset.MaxValue, cancellationToken))
        {
            pending++;
        }

        var failed = 0;
        await foreach (var _ in outbox.ListAsync(OutboxIndexState.Failed, DateTimeOffset.MaxValue, cancellationToken))
        {
            failed++;
        }

        return new PipelineProgress(
            receiptCount,
            expected,
            processed,
            await QueueLengthAsync(names.SignalsIntakeQueue, cancellationToken),
            countHouseholds ? await changes.CountAsync(cancellationToken) : await changes.AnyAsync(cancellationToken) ? 1 : 0,
            await QueueLengthAsync(names.DispatchQueue, cancellationToken),
            pending,
            failed);
    }

    /// <summary>
    /// Reads the run back. With <paramref name="readMessageIds"/> every task message is read (and left on
    /// the local topic) to count distinct task ids per gemeente; without, only the messages per gemeente are counted.
    /// </summary>
    public async Task<RunObservation> ObserveAsync(IReadOnlyList<string> gemeenten, CancellationToken cancellationToken, bool readMessageIds = true)
    {
        var receiptList = new List<IntakeReceipt>();
        await foreach (var r in receipts.ScanAsync(cancellationToken))
        {
            receiptList.Add(r);
        }

        var source = await ReadHouseholdsAsync(cancellationToken);
        var (cases, signals, tasks, outboxRows) = source;
        var caseOutcomes = new List<VroegSignalering.Core.Outcomes.CaseOutcome>();
        await foreach (var (_, u) in outcomes.ScanOutcomesAsync(cancellationToken))
        {
            caseOutcomes.Add(u);
        }

        var messages = new Dictionary<string, int>(StringComparer.Ordinal);
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);

        // Before the first send the topic's table does not exist: then no gemeente has a message.
        if (await topic.ExistsAsync(cancellationToken))
        {
            foreach (var gemeente in gemeenten.Concat(tasks.Select(t => t.Area.Gemeentecode)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (!readMessageIds)
                {
                    if (await topic.CountAsync(gemeente, cancellationToken) is var count and > 0)
                    {
                        messages[gemeente] = count;
                    }

                    continue;
                }

                var ids = (await topic.PeekAsync(gemeente, int.MaxValue, cancellationToken)).Select(m => m.MessageId).ToList();
                if (ids.Count > 0)
                {
                    messages[gemeente] = ids.Count;
                    distinct[gemeente] = ids.Distinct(StringComparer.Ordinal).Count();
                }
            }
        }

        var poison = await PoisonedAsync(cancellationToken);
        return new RunObservation(receiptList, await quarantine.ListAsync(null, cancellationToken), signals.Count, cases, signals, tasks, outboxRows, messages, distinct, poison)
        {
            Outcomes = caseOutcomes,
            Attempts = source.Attempts,
            FeedbackSentByCreditor = await feedback.CountSentAsync(cancellationToken),
            // What purged records counted: the report's counts stay what they were before a purge.
            Retained = await retained.ReadAsync(cancellationToken),
        };
    }

    /// <summary>Every case, signal, task, outbox row and contact attempt in the household partitions (a full scan), e.g. for the DDAS export.</summary>
    public async Task<DdasExportSource> ReadHouseholdsAsync(CancellationToken cancellationToken)
    {
        var signals = new List<StoredSignal>();
        await foreach (var (_, s) in households.ScanSignalsAsync(cancellationToken))
        {
            signals.Add(s);
        }

        var cases = new List<HouseholdCase>();
        await foreach (var (_, c) in households.ScanCasesAsync(cancellationToken))
        {
            cases.Add(c);
        }

        var tasks = new List<OutreachTask>();
        await foreach (var (_, t) in households.ScanTasksAsync(cancellationToken))
        {
            tasks.Add(t);
        }

        var outboxRows = new List<OutboxEntry>();
        await foreach (var (_, o) in households.ScanOutboxAsync(cancellationToken))
        {
            outboxRows.Add(o);
        }

        var attempts = new List<VroegSignalering.Core.Outcomes.ContactAttempt>();
        await foreach (var (_, a) in outcomes.ScanAttemptsAsync(cancellationToken))
        {
            attempts.Add(a);
        }

        return new DdasExportSource(cases, signals, tasks, outboxRows) { Attempts = attempts };
    }

    /// <summary>What purged records counted (RetainedAggregateTable), to add to what storage still holds.</summary>
    public Task<VroegSignalering.Core.Retention.RetainedCounts> ReadRetainedAsync(CancellationToken cancellationToken) => retained.ReadAsync(cancellationToken);

    /// <summary>Messages parked in the intake and dispatch poison queues (0 for a poison queue never created).</summary>
    public async Task<int> PoisonedAsync(CancellationToken cancellationToken) =>
        await QueueLengthAsync(names.SignalsIntakeQueue + "-poison", cancellationToken) + await QueueLengthAsync(names.DispatchQueue + "-poison", cancellationToken);

    private async Task<int> QueueLengthAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            return (await storage.Queues.GetQueueClient(queue).GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }
}
