using System.Text;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.ServiceBus;

namespace VroegSignalering.Azure.Tests.ServiceBus;

/// <summary>Dead letters of a gemeente's subscription through a ServiceBusReceiver, against a fake dead-letter queue and a fake topic sender.</summary>
public sealed class ServiceBusDeadLettersTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    // ---- Re-drive ----

    [Fact]
    public async Task Redrive_resends_old_dead_letters_removes_them_and_holds_those_it_must_not_resend()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.Add("t-old-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        queue.Add("t-recent-r1", Now.AddMinutes(-10), "TTLExpiredException");
        queue.Add("t-edge-r1", Now.AddMinutes(-62), "TTLExpiredException");
        queue.Add("t-elsewhere-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded", gemeentecode: "0599");
        queue.Add("t-nocode-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded", gemeentecode: null);
        queue.Add("t-unknown-r1", null, "MaxDeliveryCountExceeded");

        var run = await harness.DeadLetters.RedriveAsync("0363", 100, CancellationToken.None);

        Assert.Null(run.StoppedBy);
        Assert.Equal("outreach-gm0363/subscriptions/tasks", run.Subscription);
        Assert.Equal(["outreach-gm0363/tasks"], harness.OpenedSubscriptions);
        Assert.Equal(
            [
                ("t-old-r1", RedriveResult.Sent), ("t-recent-r1", RedriveResult.Held), ("t-edge-r1", RedriveResult.Held),
                ("t-elsewhere-r1", RedriveResult.Held), ("t-nocode-r1", RedriveResult.Held), ("t-unknown-r1", RedriveResult.Held),
            ],
            run.Outcomes.Select(o => (o.MessageId, o.Result)).ToArray());
        Assert.Contains("2026-11-23 12:55:00", run.Outcomes[1].Detail, StringComparison.Ordinal); // window 1 h + 5 min margin
        Assert.Contains("2026-11-23 12:03:00", run.Outcomes[2].Detail, StringComparison.Ordinal);
        Assert.Contains("'0599', not 0363", run.Outcomes[3].Detail, StringComparison.Ordinal);
        Assert.Contains("'(none)', not 0363", run.Outcomes[4].Detail, StringComparison.Ordinal);
        Assert.Contains("did not say when it was first sent", run.Outcomes[5].Detail, StringComparison.Ordinal);
        Assert.Equal(["t-old-r1"], harness.Sender.Accepted.Select(m => m.MessageId));
        Assert.Equal(["t-recent-r1", "t-edge-r1", "t-elsewhere-r1", "t-nocode-r1", "t-unknown-r1"], queue.Remaining());
        Assert.Equal(0, queue.Locked);
        Assert.True(queue.Disposed);
    }

    [Fact]
    public async Task A_resend_carries_the_id_session_correlation_subject_ttl_content_type_contract_properties_and_body_only()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        harness.DeadLetterQueue.Add("t-old-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded", "the consumer abandoned it 10 times",
            extraProperties: new Dictionary<string, object> { ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ["x-consumer"] = "team-app" });

        await harness.DeadLetters.RedriveAsync("0363", 100, CancellationToken.None);

        var resent = Assert.Single(harness.Sender.Accepted);
        Assert.Equal("t-old-r1", resent.MessageId);
        Assert.Equal("case-t-old-r1", resent.SessionId);
        Assert.Equal("case-t-old-r1", resent.CorrelationId);
        Assert.Equal("outreach-task.v1", resent.Subject);
        Assert.Equal(TimeSpan.FromDays(14), resent.TimeToLive);
        Assert.Equal("application/json", resent.ContentType);
        Assert.Equal(FakeDeadLetterReceiver.BodyOf("t-old-r1"), Encoding.UTF8.GetString(resent.Body.ToArray()));
        Assert.Equal(
            new Dictionary<string, object> { ["gemeentecode"] = "0363", ["wijk"] = "036305", ["team"] = "schuldhulp-noord", ["priority"] = "Hoog" },
            resent.ApplicationProperties.OrderBy(p => p.Key).ToDictionary());
    }

    [Fact]
    public async Task A_dead_letter_is_removed_only_after_the_topic_accepted_the_resend()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        harness.DeadLetterQueue.Add("t-a-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        harness.Sender.Responder = (_, _) =>
        {
            // At the moment of the send, the dead letter is still there (and locked by this run).
            Assert.Equal(["t-a-r1"], harness.DeadLetterQueue.Remaining());
            Assert.Equal(1, harness.DeadLetterQueue.Locked);
            return Task.CompletedTask;
        };

        var outcome = Assert.Single((await harness.DeadLetters.RedriveAsync("0363", 100, CancellationToken.None)).Outcomes);

        Assert.Equal(RedriveResult.Sent, outcome.Result);
        Assert.Equal(["receive t-a-r1", "complete t-a-r1"], harness.DeadLetterQueue.Events);
        Assert.True(harness.Sender.Sends.Single().Accepted);
    }

    [Theory]
    [InlineData(ServiceBusFailureReason.MessagingEntityNotFound, false, "MessagingEntityNotFound")]
    [InlineData(ServiceBusFailureReason.ServiceBusy, true, "ServiceBusy")]
    public async Task A_dead_letter_the_topic_refuses_stays_in_the_dead_letter_queue_and_the_run_goes_on(ServiceBusFailureReason reason, bool transient, string code)
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.Add("t-a-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        queue.Add("t-b-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        harness.Sender.Enqueue(new ServiceBusException(transient, "refused", "outreach-gm0363", reason, null));

        var run = await harness.DeadLetters.RedriveAsync("0363", 100, CancellationToken.None);

        Assert.Equal([("t-a-r1", RedriveResult.Failed), ("t-b-r1", RedriveResult.Sent)], run.Outcomes.Select(o => (o.MessageId, o.Result)).ToArray());
        Assert.StartsWith(code + " (", run.Outcomes[0].Detail, StringComparison.Ordinal);
        Assert.Equal(["t-a-r1"], queue.Remaining());
        Assert.Equal(0, queue.Locked);
        Assert.DoesNotContain("complete t-a-r1", queue.Events);
    }

    [Fact]
    public async Task Held_messages_stay_locked_until_the_run_ends_so_the_next_receive_gets_others_and_are_abandoned_then()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.Add("t-recent-r1", Now.AddMinutes(-10), "TTLExpiredException");
        queue.Add("t-recent-r2", Now.AddMinutes(-5), "TTLExpiredException");
        queue.Add("t-old-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");

        var run = await harness.DeadLetters.RedriveAsync("0363", 100, CancellationToken.None);

        Assert.Equal([RedriveResult.Held, RedriveResult.Held, RedriveResult.Sent], run.Outcomes.Select(o => o.Result));
        Assert.Equal(
            ["receive t-recent-r1", "receive t-recent-r2", "receive t-old-r1", "complete t-old-r1", "abandon t-recent-r1", "abandon t-recent-r2"],
            queue.Events);
        Assert.Equal(0, queue.Locked);
    }

    [Fact]
    public async Task A_resent_task_whose_lock_was_lost_is_removed_when_it_comes_round_again()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.FailCompletes = 1;
        queue.Add("t-a-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        queue.Add("t-b-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");

        var run = await harness.DeadLetters.RedriveAsync("0363", 100, CancellationToken.None);

        // t-a lost its lock while being completed, came round again and was removed then (not sent twice).
        Assert.Equal([("t-a-r1", RedriveResult.Sent), ("t-b-r1", RedriveResult.Sent)], run.Outcomes.Select(o => (o.MessageId, o.Result)).ToArray());
        Assert.Contains("second try", run.Outcomes[0].Detail, StringComparison.Ordinal);
        Assert.Null(run.StoppedBy);
        Assert.Empty(queue.Remaining());
        Assert.Equal(["t-a-r1", "t-b-r1"], harness.Sender.Accepted.Select(m => m.MessageId));
    }

    [Fact]
    public async Task A_resent_task_whose_lock_was_lost_and_that_does_not_come_round_is_reported_sent_not_removed()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.FailCompletes = 1;
        queue.Add("t-a-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");

        var outcome = Assert.Single((await harness.DeadLetters.RedriveAsync("0363", 1, CancellationToken.None)).Outcomes);

        Assert.Equal(RedriveResult.SentNotRemoved, outcome.Result);
        Assert.Contains("MessageLockLost (its lock was lost)", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(["t-a-r1"], queue.Remaining());
    }

    [Fact]
    public async Task A_held_message_whose_lock_lapsed_comes_round_again_and_is_neither_resent_nor_counted_twice()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.LockLapsesAfterReceives = 2;
        queue.Add("t-recent-r1", Now.AddMinutes(-10), "TTLExpiredException");
        queue.Add("t-old-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        queue.Add("t-old-r2", Now.AddHours(-3), "MaxDeliveryCountExceeded");

        var run = await harness.DeadLetters.RedriveAsync("0363", 100, CancellationToken.None);

        Assert.Null(run.StoppedBy);
        Assert.Equal(
            [("t-recent-r1", RedriveResult.Held), ("t-old-r1", RedriveResult.Sent), ("t-old-r2", RedriveResult.Sent)],
            run.Outcomes.Select(o => (o.MessageId, o.Result)).ToArray());
        Assert.True(queue.Events.Count(e => e == "receive t-recent-r1") > 1);
        Assert.Equal(["t-old-r1", "t-old-r2"], harness.Sender.Accepted.Select(m => m.MessageId));
        Assert.Equal(["t-recent-r1"], queue.Remaining());
        Assert.Equal(0, queue.Locked);
    }

    [Fact]
    public async Task Locks_that_keep_lapsing_stop_the_run_with_advice_instead_of_looping()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.LockLapsesAfterReceives = 1;
        queue.Add("t-recent-r1", Now.AddMinutes(-10), "TTLExpiredException");

        var run = await harness.DeadLetters.RedriveAsync("0363", 2, CancellationToken.None);

        Assert.Equal([("t-recent-r1", RedriveResult.Held)], run.Outcomes.Select(o => (o.MessageId, o.Result)).ToArray());
        Assert.Contains("smaller --max", run.StoppedBy, StringComparison.Ordinal);
        Assert.Equal(14, queue.Events.Count(e => e.StartsWith("receive", StringComparison.Ordinal)));
        Assert.Equal(0, queue.Locked);
    }

    [Fact]
    public async Task A_broker_failure_stops_the_run_with_the_reason_and_keeps_what_was_done()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.FailReceiveAfter = 2;
        queue.Add("t-recent-r1", Now.AddMinutes(-10), "TTLExpiredException");
        queue.Add("t-a-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        queue.Add("t-b-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");

        var run = await harness.DeadLetters.RedriveAsync("0363", 100, CancellationToken.None);

        Assert.Equal([("t-recent-r1", RedriveResult.Held), ("t-a-r1", RedriveResult.Sent)], run.Outcomes.Select(o => (o.MessageId, o.Result)).ToArray());
        Assert.Equal("MessagingEntityNotFound (the gemeente's topic or its subscription does not exist)", run.StoppedBy);
        Assert.Equal(["t-recent-r1", "t-b-r1"], queue.Remaining());
        Assert.Equal(0, queue.Locked);
    }

    [Fact]
    public async Task Redrive_stops_at_max()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        for (var i = 0; i < 5; i++)
        {
            harness.DeadLetterQueue.Add($"t-{i}-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        }

        var run = await harness.DeadLetters.RedriveAsync("0363", 3, CancellationToken.None);

        Assert.Equal(["t-0-r1", "t-1-r1", "t-2-r1"], run.Outcomes.Select(o => o.MessageId));
        Assert.Equal(["t-3-r1", "t-4-r1"], harness.DeadLetterQueue.Remaining());
    }

    [Fact]
    public async Task Cancelling_a_redrive_throws_and_still_gives_back_the_held_messages()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.Add("t-recent-r1", Now.AddMinutes(-10), "TTLExpiredException");
        queue.Add("t-a-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        using var cts = new CancellationTokenSource();
        harness.Sender.Responder = async (_, token) =>
        {
            await cts.CancelAsync();
            token.ThrowIfCancellationRequested();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.DeadLetters.RedriveAsync("0363", 100, cts.Token));

        Assert.Contains("abandon t-recent-r1", queue.Events);
        Assert.Equal(["t-recent-r1", "t-a-r1"], queue.Remaining());
    }

    // ---- Listing ----

    [Fact]
    public async Task List_peeks_ids_times_reasons_and_properties_and_locks_or_changes_nothing()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.Add("t-a-r1", Now.AddDays(-15), "TTLExpiredException");
        queue.Add("t-b-r2", Now.AddHours(-2), "MaxDeliveryCountExceeded", "the consumer abandoned it 10 times");
        queue.Add("t-c-r1", null, "MaxDeliveryCountExceeded");

        var listing = await harness.DeadLetters.ListAsync("0363", 100, CancellationToken.None);
        var messages = listing.Messages;

        Assert.Null(listing.StoppedBy);
        Assert.Equal("outreach-gm0363/subscriptions/tasks", listing.Subscription);
        Assert.Equal(["t-a-r1", "t-b-r2", "t-c-r1"], messages.Select(m => m.MessageId));
        Assert.Equal([1L, 2L, 3L], messages.Select(m => m.SequenceNumber));
        Assert.Equal(Now.AddDays(-15), messages[0].EnqueuedAt);
        Assert.Null(messages[2].EnqueuedAt);
        Assert.Equal("TTLExpiredException", messages[0].DeadLetterReason);
        Assert.Equal("the consumer abandoned it 10 times", messages[1].DeadLetterErrorDescription);
        Assert.Equal(10, messages[1].DeliveryCount);
        Assert.Equal("Hoog", messages[1].ApplicationProperties["priority"]);
        Assert.Equal(TimeSpan.FromDays(14), messages[1].TimeToLive);
        Assert.DoesNotContain("DeadLetterReason", messages[1].ApplicationProperties.Keys);
        Assert.Equal(["t-a-r1", "t-b-r2", "t-c-r1"], queue.Remaining());
        Assert.DoesNotContain(queue.Events, e => !e.Equals("peek", StringComparison.Ordinal));
        Assert.Empty(harness.Sender.Sends);
    }

    [Fact]
    public async Task List_reads_page_after_page_up_to_max()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        for (var i = 0; i < 7; i++)
        {
            harness.DeadLetterQueue.Add($"t-{i}-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        }

        var all = await harness.DeadLetters.ListAsync("0363", 100, CancellationToken.None);
        var some = await harness.DeadLetters.ListAsync("0363", 4, CancellationToken.None);

        Assert.Equal(7, all.Messages.Count);
        Assert.Equal(["t-0-r1", "t-1-r1", "t-2-r1", "t-3-r1"], some.Messages.Select(m => m.MessageId));
    }

    [Fact]
    public async Task A_broker_failure_stops_a_listing_with_the_reason_and_keeps_what_was_read()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);
        var queue = harness.DeadLetterQueue;
        queue.FailPeekAfter = 1;
        queue.Add("t-a-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");
        queue.Add("t-b-r1", Now.AddHours(-3), "MaxDeliveryCountExceeded");

        var listing = await harness.DeadLetters.ListAsync("0363", 100, CancellationToken.None);

        Assert.Equal(["t-a-r1", "t-b-r1"], listing.Messages.Select(m => m.MessageId));
        Assert.Equal("ServiceTimeout (Service Bus did not answer in time; the client's retries ran out)", listing.StoppedBy);
    }

    [Fact]
    public async Task An_empty_dead_letter_queue_lists_nothing_and_redrives_nothing()
    {
        await using var harness = ServiceBusHarness.Start(time: _time);

        Assert.Empty((await harness.DeadLetters.ListAsync("0363", 100, CancellationToken.None)).Messages);
        Assert.Empty((await harness.DeadLetters.RedriveAsync("0363", 100, CancellationToken.None)).Outcomes);
        Assert.Empty(harness.Sender.Sends);
    }
}
