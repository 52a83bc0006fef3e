using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>
/// The dispatch path's crash points, each injected deterministically (real Azurite, a fake clock) and
/// followed by the recovery path: the next triage run, the sweeper, or another dispatcher after the claim
/// lease. Asserted from storage and from the raw deliveries on the gemeente's queue, plus what the
/// dispatcher asked the broker to send: exactly one task per case revision delivered, none lost.
/// </summary>
public sealed class DispatchCrashPointTests : IDisposable
{
    private const string Gemeente = "0363";
    private static readonly TimeSpan SweepAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(30);

    // Storage stamps queue messages with its own clock; the app's clock runs ahead of it, so no backlog looks young.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow + TimeSpan.FromHours(2));
    private readonly CrashPoints _faults = new();
    private readonly PipelineApp _app;

    public DispatchCrashPointTests()
    {
        _app = new PipelineApp(
            new Dictionary<string, string?>
            {
                ["Dispatch:SweepAfter"] = SweepAfter.ToString(),
                ["Dispatch:ClaimLease"] = ClaimLease.ToString(),
                ["Dispatch:Local:DuplicateDetectionWindow"] = Window.ToString(),
            },
            services: s =>
            {
                s.AddSingleton<TimeProvider>(_time);
                _faults.Install(s);
            });
    }

    [Fact]
    public async Task A_send_whose_reply_was_lost_is_sent_again_by_the_sweeper_and_the_broker_drops_it_within_the_window()
    {
        var task = await TriageOneAsync("LOST-REPLY");
        await LoseAnnouncementsAsync();

        _faults.LoseTransportReply = true;
        await SweepLaterAsync(SweepAfter);
        Assert.Equal("Pending", (await OutboxRowAsync()).GetString("Status"));

        _faults.LoseTransportReply = false;
        await SweepLaterAsync(SweepAfter);

        Assert.Equal(2, _faults.Attempts(task));
        Assert.Equal("Dispatched", (await OutboxRowAsync()).GetString("Status"));
        Assert.Equal(new Dictionary<string, int> { [task] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
        await AssertNoPendingPointersAsync();
    }

    [Fact]
    public async Task A_send_whose_reply_was_lost_is_delivered_again_when_the_resend_comes_after_the_window_as_Service_Bus_would()
    {
        var task = await TriageOneAsync("LOST-LATE");
        await LoseAnnouncementsAsync();

        _faults.LoseTransportReply = true;
        await SweepLaterAsync(SweepAfter);
        _faults.LoseTransportReply = false;
        await SweepLaterAsync(Window + TimeSpan.FromSeconds(1));

        // The documented limit (docs/operations.md): past the window the topic accepts the id again; consumers
        // deduplicate on the task id. The sweeper retries within minutes, far inside the window.
        Assert.Equal(2, _faults.Attempts(task));
        Assert.Equal(new Dictionary<string, int> { [task] = 2 }, await RawDeliveries.CountAsync(_app, Gemeente));
        Assert.Equal("Dispatched", (await OutboxRowAsync()).GetString("Status"));
    }

    [Fact]
    public async Task A_crash_after_the_send_before_the_row_is_recorded_is_sent_once_more_only_after_the_claim_lease_and_delivered_once()
    {
        var task = await TriageOneAsync("CRASH-SENT");
        await LoseAnnouncementsAsync();

        _faults.CrashBeforeRecordingSent = true;
        _time.Advance(SweepAfter + TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<CrashException>(_app.SweepAsync);
        _faults.CrashBeforeRecordingSent = false;
        var crashed = await OutboxRowAsync();
        Assert.Equal("Pending", crashed.GetString("Status"));
        Assert.NotNull(crashed.GetDateTimeOffset("ClaimedAt"));

        // Within the lease the row is left to the crashed dispatcher.
        await SweepLaterAsync(ClaimLease - TimeSpan.FromSeconds(2));
        Assert.Equal(1, _faults.Attempts(task));

        // After it another dispatcher takes the row over; the broker drops the resend.
        await SweepLaterAsync(TimeSpan.FromSeconds(3));

        Assert.Equal(2, _faults.Attempts(task));
        Assert.Equal("Dispatched", (await OutboxRowAsync()).GetString("Status"));
        Assert.Equal(new Dictionary<string, int> { [task] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
        await AssertNoPendingPointersAsync();
    }

    [Fact]
    public async Task A_claim_left_by_a_crashed_dispatcher_holds_off_others_until_the_lease_ends_then_the_row_is_sent_once()
    {
        var task = await TriageOneAsync("CRASH-CLAIM");
        await LoseAnnouncementsAsync();

        _faults.CrashAfterClaim = true;
        _time.Advance(SweepAfter + TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<CrashException>(_app.SweepAsync);
        _faults.CrashAfterClaim = false;

        await SweepLaterAsync(ClaimLease - TimeSpan.FromSeconds(2));
        Assert.Equal(0, _faults.Attempts(task));

        await SweepLaterAsync(TimeSpan.FromSeconds(3));

        Assert.Equal(1, _faults.Attempts(task));
        Assert.Equal("Dispatched", (await OutboxRowAsync()).GetString("Status"));
        Assert.Equal(new Dictionary<string, int> { [task] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
    }

    [Fact]
    public async Task A_dispatched_row_is_never_offered_to_the_broker_again_by_a_replayed_announcement_or_the_sweeper()
    {
        var dispatchQueue = _app.Storage.Queues.GetQueueClient(_app.Names.DispatchQueue);
        var task = await TriageOneAsync("REPLAY");
        var announcement = Assert.Single((await dispatchQueue.PeekMessagesAsync(32)).Value).Body.ToString();
        await _app.DispatchAllAsync();

        // A replay after the claim lease, when nothing but the row's status stops a second send.
        _time.Advance(ClaimLease + SweepAfter + TimeSpan.FromSeconds(1));
        await dispatchQueue.SendMessageAsync(announcement);
        await _app.DispatchAllAsync();
        await _app.SweepAsync();

        Assert.Equal(1, _faults.Attempts(task));
        Assert.Equal(new Dictionary<string, int> { [task] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
        Assert.Equal("Dispatched", (await OutboxRowAsync()).GetString("Status"));
    }

    [Fact]
    public async Task A_crash_before_the_commit_leaves_neither_row_nor_pointer_and_the_next_triage_sends_the_task_once()
    {
        await PostAndProcessAsync("CRASH-COMMIT");
        _faults.CrashBeforeCommit = true;
        await Assert.ThrowsAsync<CrashException>(_app.TriageAsync);
        _faults.CrashBeforeCommit = false;
        Assert.Empty(await _app.RowsAsync("o|"));
        Assert.Empty(await PendingPointersAsync());

        // The sweeper has nothing to send.
        var dispatcher = _app.Services.GetRequiredService<OutboxDispatcher>();
        _time.Advance(SweepAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(DispatchSummary.Empty, await dispatcher.SweepAsync(CancellationToken.None));
        Assert.Empty(_faults.SendAttempts);

        // The household was never acknowledged, so the next run triages it: one task, sent once.
        await _app.TriageAsync();
        await _app.DispatchAllAsync();
        await SweepLaterAsync(SweepAfter);

        var task = Assert.Single(await _app.RowsAsync("t|"));
        var taskId = task.RowKey[2..];
        Assert.Equal(1, _faults.Attempts(taskId));
        Assert.Equal(new Dictionary<string, int> { [taskId] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
        await AssertNoPendingPointersAsync();
    }

    [Fact]
    public async Task A_crash_after_the_commit_before_its_pointer_is_written_keeps_the_mark_so_the_next_run_points_at_the_row_and_it_is_sent_once()
    {
        await PostAndProcessAsync("CRASH-POINTER");
        _faults.CrashBeforePointers = true;
        await Assert.ThrowsAsync<CrashException>(_app.TriageAsync);
        _faults.CrashBeforePointers = false;

        // Committed, but neither pointed at nor announced: only the household's change mark remembers it.
        Assert.Equal("Pending", (await OutboxRowAsync()).GetString("Status"));
        Assert.Empty(await PendingPointersAsync());
        Assert.Single(await _app.EntitiesAsync(_app.Names.Changes));

        // The next run triages the household again (nothing new to decide) and hands its pending row on.
        var again = await _app.Services.GetRequiredService<TriageSweep>().RunAsync(CancellationToken.None);
        Assert.Equal((1, 0), (again.Households, again.TasksCreated));
        Assert.Single(await PendingPointersAsync());
        Assert.Empty(await _app.EntitiesAsync(_app.Names.Changes));

        await _app.DispatchAllAsync();
        await SweepLaterAsync(SweepAfter);
        var taskId = Assert.Single(await _app.RowsAsync("t|")).RowKey[2..];
        Assert.Equal(1, _faults.Attempts(taskId));
        Assert.Equal(new Dictionary<string, int> { [taskId] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
        Assert.Equal("Dispatched", (await OutboxRowAsync()).GetString("Status"));
        await AssertNoPendingPointersAsync();
    }

    [Fact]
    public async Task A_crash_in_the_triage_run_after_the_commit_before_the_household_is_acknowledged_yields_one_task_sent_once()
    {
        await PostAndProcessAsync("CRASH-ACK");
        _faults.CrashAfterCommit = true;
        await Assert.ThrowsAsync<CrashException>(_app.TriageAsync);
        _faults.CrashAfterCommit = false;
        var dispatchQueue = _app.Storage.Queues.GetQueueClient(_app.Names.DispatchQueue);
        if (await dispatchQueue.ExistsAsync())
        {
            Assert.Empty((await dispatchQueue.PeekMessagesAsync(32)).Value); // the crash came before the announcement
        }

        // The mark is still there: the next run triages the household again and finds nothing new to do.
        var again = await _app.Services.GetRequiredService<TriageSweep>().RunAsync(CancellationToken.None);
        Assert.Equal((1, 0), (again.Households, again.TasksCreated));
        var afterwards = await _app.Services.GetRequiredService<TriageSweep>().RunAsync(CancellationToken.None);
        Assert.Equal(0, afterwards.Households);

        // Nobody announced the task: the sweeper finds it by its pointer.
        await SweepLaterAsync(SweepAfter);

        var taskId = Assert.Single(await _app.RowsAsync("t|")).RowKey[2..];
        Assert.Equal(1, _faults.Attempts(taskId));
        Assert.Equal(new Dictionary<string, int> { [taskId] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
        Assert.Equal("Dispatched", (await OutboxRowAsync()).GetString("Status"));
    }

    public void Dispose() => _app.Dispose();

    private async Task PostAndProcessAsync(string reference)
    {
        using (var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal(reference))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.True(await _app.ProcessAllAsync() > 0);
    }

    // One signal, processed and triaged: one committed task, announced on the dispatch queue.
    private async Task<string> TriageOneAsync(string reference)
    {
        await PostAndProcessAsync(reference);
        await _app.TriageAsync();
        return Assert.Single(await _app.RowsAsync("o|")).RowKey[2..];
    }

    // The happy path's announcement never reaches the dispatcher (a crash after the commit): the sweeper is left.
    private async Task LoseAnnouncementsAsync() =>
        await _app.Storage.Queues.GetQueueClient(_app.Names.DispatchQueue).ClearMessagesAsync();

    private async Task SweepLaterAsync(TimeSpan by)
    {
        _time.Advance(by + TimeSpan.FromSeconds(1));
        await _app.SweepAsync();
    }

    private async Task<global::Azure.Data.Tables.TableEntity> OutboxRowAsync() => Assert.Single(await _app.RowsAsync("o|"));

    private async Task<List<OutboxPointer>> PendingPointersAsync()
    {
        var list = new List<OutboxPointer>();
        await foreach (var pointer in _app.Services.GetRequiredService<IOutboxIndex>().ListAsync(OutboxIndexState.Pending, DateTimeOffset.MaxValue, CancellationToken.None))
        {
            list.Add(pointer);
        }

        return list;
    }

    private async Task AssertNoPendingPointersAsync() => Assert.Empty(await PendingPointersAsync());
}
