using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Functions.Tests.Pipeline;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>What a crash point throws: the process "dies" there, so nothing after it runs.</summary>
internal sealed class CrashException(string point) : Exception("crash: " + point);

/// <summary>
/// Fault-injecting decorators around the app's store, change feed and transport. Each crash point throws
/// before or after the real storage or broker effect, once, and counts what the dispatcher asked the broker
/// to send (per message id), so a dispatcher that resends is caught even where duplicate detection drops it.
/// </summary>
internal sealed partial class CrashPoints
{
    public ConcurrentDictionary<string, int> SendAttempts { get; } = new(StringComparer.Ordinal);

    /// <summary>The broker accepts the messages, but the dispatcher hears "timed out".</summary>
    public bool LoseTransportReply { get; set; }

    /// <summary>Throws after the outbox row was claimed, before anything is sent.</summary>
    public bool CrashAfterClaim { get; set; }

    /// <summary>Throws instead of recording a sent row as Dispatched (the send already happened).</summary>
    public bool CrashBeforeRecordingSent { get; set; }

    /// <summary>Throws instead of committing the triage transaction (nothing of it is written).</summary>
    public bool CrashBeforeCommit { get; set; }

    /// <summary>Throws after the triage transaction committed, before the caller hears of it.</summary>
    public bool CrashAfterCommit { get; set; }

    /// <summary>Throws instead of writing pending pointers to the outbox index (the commit already happened).</summary>
    public bool CrashBeforePointers { get; set; }

    public int Attempts(string messageId) => SendAttempts.GetValueOrDefault(messageId);

    public void Install(IServiceCollection services)
    {
        services.RemoveAll<IOutreachTransport>();
        services.AddSingleton<IOutreachTransport>(sp => new Transport(this, sp.GetRequiredService<LocalTopicTransport>()));
        services.RemoveAll<IHouseholdStore>();
        services.AddSingleton<IHouseholdStore>(sp => new Store(this, sp.GetRequiredService<HouseholdTableStore>()));
        services.RemoveAll<IOutboxIndex>();
        services.AddSingleton<IOutboxIndex>(sp => new Index(this, sp.GetRequiredService<OutboxIndexTable>()));
    }

    private static void Crash(bool armed, string point)
    {
        if (armed)
        {
            throw new CrashException(point);
        }
    }

    private sealed class Transport(CrashPoints faults, IOutreachTransport inner) : IOutreachTransport
    {
        public async Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken)
        {
            foreach (var message in messages)
            {
                faults.SendAttempts.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
            }

            var outcomes = await inner.PublishAsync(messages, cancellationToken);
            return faults.LoseTransportReply
                ? outcomes.Select(o => new PublishOutcome(o.MessageId, PublishStatus.FailedTransiently, "send timed out")).ToList()
                : outcomes;
        }
    }

    private sealed class Store(CrashPoints faults, IHouseholdStore inner) : IHouseholdStore
    {
        public Task<bool> ExistsAsync(string householdKey, CancellationToken cancellationToken) => inner.ExistsAsync(householdKey, cancellationToken);

        public Task<bool> AddSignalAsync(string householdKey, StoredSignal signal, CancellationToken cancellationToken) => inner.AddSignalAsync(householdKey, signal, cancellationToken);

        public Task<HouseholdSnapshot> LoadAsync(string householdKey, CancellationToken cancellationToken) => inner.LoadAsync(householdKey, cancellationToken);

        public async Task<bool> CommitAsync(string householdKey, TriageCommit commit, CancellationToken cancellationToken)
        {
            Crash(faults.CrashBeforeCommit, "before the triage commit");
            var committed = await inner.CommitAsync(householdKey, commit, cancellationToken);
            Crash(faults.CrashAfterCommit && committed, "after the triage commit");
            return committed;
        }

        public Task<Versioned<OutboxEntry>?> GetOutboxAsync(string householdKey, string taskId, CancellationToken cancellationToken) => inner.GetOutboxAsync(householdKey, taskId, cancellationToken);

        public Task<Versioned<HouseholdCase>?> GetCaseAsync(string householdKey, string caseId, CancellationToken cancellationToken) => inner.GetCaseAsync(householdKey, caseId, cancellationToken);

        public Task<(Versioned<OutboxEntry>? Outbox, Versioned<HouseholdCase>? Case)> GetOutboxWithCaseAsync(string householdKey, string taskId, CancellationToken cancellationToken) =>
            inner.GetOutboxWithCaseAsync(householdKey, taskId, cancellationToken);

        public async Task<Versioned<OutboxEntry>?> ClaimOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, DateTimeOffset claimedAt, CancellationToken cancellationToken)
        {
            var claimed = await inner.ClaimOutboxAsync(householdKey, entry, claimedAt, cancellationToken);
            Crash(faults.CrashAfterClaim && claimed is not null, "after the claim, before the send");
            return claimed;
        }

        public Task<bool> RecordOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, OutboxEntry result, CaseMove? caseMove, CancellationToken cancellationToken)
        {
            Crash(faults.CrashBeforeRecordingSent && result.Status == OutboxStatus.Dispatched, "after the send, before the outbox row is recorded");
            return inner.RecordOutboxAsync(householdKey, entry, result, caseMove, cancellationToken);
        }

        public Task<bool> ResetOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, CancellationToken cancellationToken) => inner.ResetOutboxAsync(householdKey, entry, cancellationToken);
    }
}

internal sealed partial class CrashPoints
{
    private sealed class Index(CrashPoints faults, IOutboxIndex inner) : IOutboxIndex
    {
        public Task AddAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken) => inner.AddAsync(pointer, state, cancellationToken);

        public Task AddManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken)
        {
            Crash(faults.CrashBeforePointers && state == OutboxIndexState.Pending, "after the triage commit, before its pointers are written");
            return inner.AddManyAsync(pointers, state, cancellationToken);
        }

        public Task RemoveAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken) => inner.RemoveAsync(pointer, state, cancellationToken);

        public Task RemoveManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken) => inner.RemoveManyAsync(pointers, state, cancellationToken);

        public IAsyncEnumerable<OutboxPointer> ListAsync(OutboxIndexState state, DateTimeOffset createdBefore, CancellationToken cancellationToken) => inner.ListAsync(state, createdBefore, cancellationToken);
    }
}

/// <summary>What reached a gemeente's subscription on the local topic, counted per message id: raw, before any consumer deduplicates.</summary>
internal static class RawDeliveries
{
    /// <summary>Every message on the topic for the gemeente (peeked, so nothing changes). A missing topic table throws: it is not "no deliveries".</summary>
    public static async Task<Dictionary<string, int>> CountAsync(PipelineApp app, string gemeente)
    {
        // The test's own clients, never the app's (which a test may fault).
        var topic = new LocalTopic(app.Storage, app.Names, app.Services.GetRequiredService<TimeProvider>());
        var peeked = await topic.PeekAsync(gemeente, int.MaxValue, CancellationToken.None);
        return peeked
            .Select(m => m.MessageId)
            .GroupBy(id => id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }
}
