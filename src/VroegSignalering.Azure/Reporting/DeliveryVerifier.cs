using Azure;
using Azure.Data.Tables;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Core.Households;

namespace VroegSignalering.Azure.Reporting;

/// <summary>One guarantee checked by <see cref="DeliveryVerifier"/>: how many were checked, lost and doubled, with examples.</summary>
public sealed record VerifiedGuarantee(string Name, int Checked, int Lost, int Doubled, IReadOnlyList<string> LostIds, IReadOnlyList<string> DoubledIds);

/// <summary>
/// What storage and the local topic hold after a run, checked for loss and doubles: the accepted signals,
/// the case revisions, and the raw task messages. <see cref="Poison"/> messages are parked, not lost.
/// </summary>
public sealed record DeliveryVerification(
    int Receipts,
    int Accepted,
    int Stored,
    int Quarantined,
    int Cases,
    int Tasks,
    int TaskMessages,
    int Poison,
    IReadOnlyList<VerifiedGuarantee> Guarantees)
{
    public int Lost => Guarantees.Sum(g => g.Lost);

    public int Doubled => Guarantees.Sum(g => g.Doubled);

    /// <summary>Nothing lost, nothing doubled, and something to check (an empty store proves nothing).</summary>
    public bool Holds => Lost == 0 && Doubled == 0 && Accepted > 0;
}

/// <summary>
/// Checks "nothing lost, nothing doubled" from storage and the local topic alone, never from the app's own
/// counters (full scans: for crash tests and pilots, not a hot path):
/// <list type="bullet">
/// <item>every accepted signal (a reference claim held by a receipt the app answered) is stored or quarantined exactly once;</item>
/// <item>every case revision 1..n has exactly one task, and no task belongs to a revision its case does not have;</item>
/// <item>every task's outbox row is dispatched, and its gemeente's queue holds exactly one message with its id.</item>
/// </list>
/// Any second message of one task is a double: the local topic's duplicate detection is as atomic as the broker's.
/// </summary>
public sealed class DeliveryVerifier(StorageNames names, LocalTopic topic, TableSet tables, RunObserver observer, QuarantineTableStore quarantine)
{
    private const int Examples = 20;

    public async Task<DeliveryVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        // Receipts are the app's answers: a claim whose receipt was never saved was never answered as accepted.
        var receipts = new Dictionary<string, int>(StringComparer.Ordinal);
        var receiptTable = await tables.GetAsync(names.Receipts, cancellationToken);
        await foreach (var e in receiptTable.QueryAsync<TableEntity>(select: ["RowKey", "Accepted"], cancellationToken: cancellationToken))
        {
            receipts[e.RowKey] = e.GetInt32("Accepted") ?? 0;
        }

        var accepted = new HashSet<string>(StringComparer.Ordinal);
        var references = await tables.GetAsync(names.SignalReferences, cancellationToken);
        await foreach (var e in references.QueryAsync<TableEntity>(select: ["SignalId", "ReceiptId"], cancellationToken: cancellationToken))
        {
            if (e.GetString("ReceiptId") is { } receipt && receipts.ContainsKey(receipt) && e.GetString("SignalId") is { } signal)
            {
                accepted.Add(signal);
            }
        }

        var households = await observer.ReadHouseholdsAsync(cancellationToken);
        var copies = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in households.Signals)
        {
            copies[s.SignalId] = copies.GetValueOrDefault(s.SignalId) + 1;
        }

        var quarantined = await quarantine.ListAsync(null, cancellationToken);
        foreach (var q in quarantined)
        {
            copies[q.SignalId] = copies.GetValueOrDefault(q.SignalId) + 1;
        }

        // A stored or quarantined signal no answered claim accounts for counts as a double: it is in storage
        // more often than it was accepted (zero times).
        var signalsLost = accepted.Where(id => !copies.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        var signalsDoubled = copies.Where(c => c.Value > 1 || !accepted.Contains(c.Key)).Select(c => c.Key).Order(StringComparer.Ordinal).ToList();

        var (cases, tasks) = (households.Cases, households.Tasks);

        var tasksPerRevision = tasks.GroupBy(t => (t.CaseId, t.Revision)).ToDictionary(g => g.Key, g => g.Count());
        var revisions = cases.SelectMany(c => Enumerable.Range(1, Math.Max(0, c.Revision)).Select(r => (c.CaseId, Revision: r))).ToHashSet();
        var revisionsLost = revisions.Where(r => !tasksPerRevision.ContainsKey(r)).Select(Name).Order(StringComparer.Ordinal).ToList();
        var revisionsDoubled = tasksPerRevision.Where(t => t.Value > 1 || !revisions.Contains(t.Key)).Select(t => Name(t.Key)).Order(StringComparer.Ordinal).ToList();

        var outbox = new Dictionary<string, OutboxStatus>(StringComparer.Ordinal);
        foreach (var o in households.Outbox)
        {
            outbox[o.TaskId] = o.Status;
        }

        var messages = await ReadTaskMessagesAsync(cancellationToken);
        var taskGemeente = tasks.GroupBy(t => t.TaskId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Area.Gemeentecode, StringComparer.Ordinal);
        var messagesLost = new List<string>();
        foreach (var (taskId, gemeente) in taskGemeente.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var here = messages.GetValueOrDefault((gemeente, taskId));
            if (here == 0 || outbox.GetValueOrDefault(taskId, OutboxStatus.Failed) != OutboxStatus.Dispatched)
            {
                messagesLost.Add(taskId);
            }
        }

        // Two messages of one task, or a message in a queue its task does not belong to (or of no task at all).
        var messagesDoubled = messages
            .Where(m => m.Value > 1 || taskGemeente.GetValueOrDefault(m.Key.TaskId) != m.Key.Gemeente)
            .Select(m => $"{m.Key.TaskId}@{m.Key.Gemeente}")
            .Order(StringComparer.Ordinal)
            .ToList();

        var poison = await observer.PoisonedAsync(cancellationToken);
        return new DeliveryVerification(
            receipts.Count,
            accepted.Count,
            households.Signals.Count,
            quarantined.Count,
            cases.Count,
            tasks.Count,
            messages.Values.Sum(),
            poison,
            [
                Guarantee("accepted signal stored or quarantined exactly once", accepted.Count, signalsLost, signalsDoubled),
                Guarantee("case revision has exactly one task", revisions.Count, revisionsLost, revisionsDoubled),
                Guarantee("task on its gemeente's subscription exactly once", taskGemeente.Count, messagesLost, messagesDoubled),
            ]);

        static string Name((string CaseId, int Revision) r) => $"{r.CaseId}#{r.Revision}";
    }

    private static VerifiedGuarantee Guarantee(string name, int count, List<string> lost, List<string> doubled) =>
        new(name, count, lost.Count, doubled.Count, lost.Take(Examples).ToList(), doubled.Take(Examples).ToList());

    // Raw messages per (gemeente, task id) on the local topic; before the first send its table does not exist.
    private async Task<Dictionary<(string Gemeente, string TaskId), int>> ReadTaskMessagesAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string, string), int>();
        if (!await topic.ExistsAsync(cancellationToken))
        {
            return counts;
        }

        foreach (var (gemeente, messages) in await topic.ReadAllAsync(cancellationToken))
        {
            foreach (var m in messages)
            {
                counts[(gemeente, m.MessageId)] = counts.GetValueOrDefault((gemeente, m.MessageId)) + 1;
            }
        }

        return counts;
    }
}
