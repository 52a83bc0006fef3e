using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Messaging.ServiceBus;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.Tests.ServiceBus;

public class ServiceBusTransportTests
{
    // The instrument names dashboards and alerts use: pinned here, not taken from the code under test.
    private const string SentCounter = "vroeg.dispatch.publish.sent";
    private const string FailedCounter = "vroeg.dispatch.publish.failed";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // ---- The message ----

    [Fact]
    public async Task Each_message_carries_its_id_session_correlation_subject_ttl_content_type_properties_and_body()
    {
        await using var harness = ServiceBusHarness.Start();
        var message = new OutboundMessage
        {
            MessageId = "task-0042",
            Subject = "outreach-task.v1",
            CorrelationId = "case-7",
            SessionId = "case-7-session",
            TimeToLive = TimeSpan.FromDays(14),
            ContentType = "application/json",
            ApplicationProperties = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["gemeentecode"] = "0363",
                ["wijk"] = "036305",
                ["team"] = "schuldhulp-noord",
                ["priority"] = "Hoog",
                ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            },
            Body = """{"taskId":"task-0042","naam":"Jaël Öztürk"}""",
        };

        var outcome = Assert.Single(await harness.PublishAsync([message]));

        Assert.Equal(new PublishOutcome("task-0042", PublishStatus.Sent), outcome);
        var sent = Assert.Single(harness.Sender.Accepted);
        Assert.Equal("task-0042", sent.MessageId);
        Assert.Equal("case-7-session", sent.SessionId);
        Assert.Equal("case-7", sent.CorrelationId);
        Assert.Equal("outreach-task.v1", sent.Subject);
        Assert.Equal(TimeSpan.FromDays(14), sent.TimeToLive);
        Assert.Equal("application/json", sent.ContentType);
        Assert.Equal(Encoding.UTF8.GetBytes(message.Body), sent.Body.ToArray());
        Assert.Equal(message.ApplicationProperties.Count, sent.ApplicationProperties.Count);
        foreach (var (name, value) in message.ApplicationProperties)
        {
            // Strings, because the subscriptions' SQL filters compare strings (gemeentecode = '0363').
            Assert.Equal(value, Assert.IsType<string>(sent.ApplicationProperties[name]));
        }
    }

    [Fact]
    public async Task Properties_a_message_does_not_have_are_left_unset()
    {
        await using var harness = ServiceBusHarness.Start();
        var bare = new OutboundMessage
        {
            MessageId = "bare-1", Subject = "outreach-task.v1", Body = "{}",
            ApplicationProperties = new Dictionary<string, string>(StringComparer.Ordinal) { ["gemeentecode"] = "0363" }, // it chooses the topic
        };

        await harness.PublishAsync([bare]);

        var sent = Assert.Single(harness.Sender.Accepted);
        Assert.Null(sent.SessionId);
        Assert.Null(sent.CorrelationId);
        Assert.Equal(TimeSpan.MaxValue, sent.TimeToLive);
        Assert.Equal("application/json", sent.ContentType);
        Assert.Equal(["gemeentecode"], sent.ApplicationProperties.Keys);
    }

    [Fact]
    public async Task A_message_service_bus_cannot_carry_fails_permanently_alone_naming_the_property_not_its_value()
    {
        await using var harness = ServiceBusHarness.Start();
        var longSession = new string('s', 129);
        OutboundMessage[] messages = [TestMessages.One("ok-1"), TestMessages.One("bad-1") with { SessionId = longSession }, TestMessages.One("ok-2")];

        var outcomes = await harness.PublishAsync(messages);

        Assert.Equal([PublishStatus.Sent, PublishStatus.FailedPermanently, PublishStatus.Sent], outcomes.Select(o => o.Status));
        Assert.Equal("InvalidMessage (Service Bus does not accept its SessionId)", outcomes[1].Reason);
        Assert.Equal(["ok-1", "ok-2"], harness.Sender.Accepted.Select(m => m.MessageId));
        Assert.Equal(1, harness.Metrics.Sum(FailedCounter, "FailedPermanently", "InvalidMessage"));
        Assert.DoesNotContain(harness.Logs.Entries, e => e.Message.Contains(longSession, StringComparison.Ordinal));
    }

    // ---- Batching ----

    [Theory]
    [InlineData(150, 100, new[] { 100, 50 })]
    [InlineData(100, 100, new[] { 100 })]
    [InlineData(25, 10, new[] { 10, 10, 5 })]
    public async Task Messages_go_out_in_batches_of_at_most_max_batch_messages_in_input_order(int count, int maxBatchMessages, int[] batches)
    {
        await using var harness = ServiceBusHarness.Start(Settings("MaxBatchMessages", maxBatchMessages.ToString(CultureInfo.InvariantCulture)));
        var messages = TestMessages.Create(count);

        var outcomes = await harness.PublishAsync(messages);

        Assert.Equal(batches, harness.Sender.Sends.Select(s => s.Messages.Count));
        Assert.Equal(messages.Select(m => m.MessageId), harness.Sender.Accepted.Select(m => m.MessageId));
        Assert.Equal(messages.Select(m => new PublishOutcome(m.MessageId, PublishStatus.Sent)), outcomes);
        Assert.Equal(count, harness.Metrics.Sum(SentCounter));
    }

    [Fact]
    public async Task A_batch_is_closed_only_when_the_next_message_does_not_fit_it()
    {
        await using var harness = ServiceBusHarness.Start();
        harness.Sender.MaxBatchBytes = 8192;
        var random = new Random(7);
        var messages = Enumerable.Range(0, 60).Select(i => TestMessages.One($"task-{i:D4}", random.Next(200, 2500))).ToArray();

        var outcomes = await harness.PublishAsync(messages);

        var sends = harness.Sender.Sends;
        Assert.True(sends.Count > 1);
        Assert.All(sends, s => Assert.InRange(s.Messages.Sum(FakeServiceBusSender.SizeOf), 1, 8192));
        Assert.Equal(messages.Select(m => m.MessageId), sends.SelectMany(s => s.MessageIds()));
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
        for (var i = 0; i < sends.Count - 1; i++)
        {
            var next = FakeServiceBusSender.SizeOf(sends[i + 1].Messages[0]);
            Assert.True(sends[i].Messages.Sum(FakeServiceBusSender.SizeOf) + next > 8192, $"batch {i} had room for the next message");
        }
    }

    [Fact]
    public async Task A_message_too_large_to_go_alone_fails_permanently_with_its_size_and_the_limit_and_the_others_are_sent()
    {
        await using var harness = ServiceBusHarness.Start();
        harness.Sender.MaxBatchBytes = 8192;
        OutboundMessage[] messages = [TestMessages.One("small-1"), TestMessages.One("huge-1", 20_000), TestMessages.One("small-2")];

        var outcomes = await harness.PublishAsync(messages);

        Assert.Equal([PublishStatus.Sent, PublishStatus.FailedPermanently, PublishStatus.Sent], outcomes.Select(o => o.Status));
        var match = Regex.Match(outcomes[1].Reason!, @"^MessageSizeExceeded \(a (\d+)-byte body does not fit an empty batch of at most 8192 bytes\)$");
        Assert.True(match.Success, outcomes[1].Reason);
        Assert.Equal(Encoding.UTF8.GetByteCount(messages[1].Body), int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(["small-1", "small-2"], harness.Sender.Accepted.Select(m => m.MessageId));
        Assert.Equal(1, harness.Metrics.Sum(FailedCounter, "FailedPermanently", "MessageSizeExceeded"));
        Assert.Equal("huge-1", Assert.Single(harness.Logs.WithEvent("MessageDoesNotFit")).Values["MessageId"]);
    }

    [Fact]
    public async Task An_empty_publish_creates_no_batch_and_sends_nothing()
    {
        await using var harness = ServiceBusHarness.Start();

        var outcomes = await harness.PublishAsync([]);

        Assert.Empty(outcomes);
        Assert.Equal(0, harness.Sender.BatchesCreated);
        Assert.Empty(harness.Sender.Sends);
    }

    // ---- Failures ----

    public static TheoryData<Exception, string> TransientFailures => new()
    {
        { new ServiceBusException(true, "busy", "outreach-gm0363", ServiceBusFailureReason.ServiceBusy, null), "ServiceBusy" },
        { new ServiceBusException(false, "quota", "outreach-gm0363", ServiceBusFailureReason.QuotaExceeded, null), "QuotaExceeded" },
        { new ServiceBusException(true, "timeout", "outreach-gm0363", ServiceBusFailureReason.ServiceTimeout, null), "ServiceTimeout" },
        { new ServiceBusException(true, "link", "outreach-gm0363", ServiceBusFailureReason.ServiceCommunicationProblem, null), "ServiceCommunicationProblem" },
        { new ServiceBusException(true, "amqp", "outreach-gm0363", ServiceBusFailureReason.GeneralError, null), "GeneralError" },
        { new TimeoutException(), "Timeout" },
        { new TaskCanceledException("the SDK's own try timeout"), "Timeout" },
    };

    [Theory]
    [MemberData(nameof(TransientFailures))]
    public async Task Transient_failures_leave_the_messages_pending_with_the_reason(Exception failure, string code)
    {
        await using var harness = ServiceBusHarness.Start();
        harness.Sender.Enqueue(failure);

        var outcomes = await harness.PublishAsync(TestMessages.Create(3));

        Assert.All(outcomes, o =>
        {
            Assert.Equal(PublishStatus.FailedTransiently, o.Status);
            Assert.StartsWith(code + " (", o.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(3, harness.Metrics.Sum(FailedCounter, "FailedTransiently", code));
        Assert.Single(harness.Logs.WithEvent("BatchFailedTransiently"));
    }

    public static TheoryData<Exception, string> PermanentFailures => new()
    {
        { new ServiceBusException(false, "too large", "outreach-gm0363", ServiceBusFailureReason.MessageSizeExceeded, null), "MessageSizeExceeded" },
        { new ServiceBusException(false, "not found", "outreach-gm0363", ServiceBusFailureReason.MessagingEntityNotFound, null), "MessagingEntityNotFound" },
        { new ServiceBusException(false, "disabled", "outreach-gm0363", ServiceBusFailureReason.MessagingEntityDisabled, null), "MessagingEntityDisabled" },
        { new UnauthorizedAccessException("Unauthorized access. 'Send' claim(s) are required"), "Unauthorized" },
        { new ServiceBusException(false, "refused", "outreach-gm0363", ServiceBusFailureReason.GeneralError, null), "GeneralError" },
    };

    [Theory]
    [MemberData(nameof(PermanentFailures))]
    public async Task Failures_retrying_cannot_fix_fail_the_messages_permanently_with_the_reason(Exception failure, string code)
    {
        await using var harness = ServiceBusHarness.Start();
        harness.Sender.Enqueue(failure);

        var outcomes = await harness.PublishAsync(TestMessages.Create(3));

        Assert.All(outcomes, o =>
        {
            Assert.Equal(PublishStatus.FailedPermanently, o.Status);
            Assert.StartsWith(code + " (", o.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain(failure.Message, o.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(3, harness.Metrics.Sum(FailedCounter, "FailedPermanently", code));
        Assert.Single(harness.Logs.WithEvent("BatchFailedPermanently"));
    }

    [Fact]
    public async Task After_a_transient_failure_later_batches_are_not_attempted_so_no_later_revision_overtakes()
    {
        await using var harness = ServiceBusHarness.Start();
        harness.Sender.Enqueue(null, new ServiceBusException(true, "busy", "outreach-gm0363", ServiceBusFailureReason.ServiceBusy, null));

        var outcomes = await harness.PublishAsync(TestMessages.Create(250));

        Assert.Equal([true, false], harness.Sender.Sends.Select(s => s.Accepted));
        Assert.All(outcomes.Take(100), o => Assert.Equal(PublishStatus.Sent, o.Status));
        Assert.All(outcomes.Skip(100).Take(100), o =>
        {
            Assert.Equal(PublishStatus.FailedTransiently, o.Status);
            Assert.StartsWith("ServiceBusy (", o.Reason, StringComparison.Ordinal);
        });
        Assert.All(outcomes.Skip(200), o =>
        {
            Assert.Equal(PublishStatus.FailedTransiently, o.Status);
            Assert.StartsWith("not sent: an earlier batch to its topic failed transiently (ServiceBusy (", o.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(100, harness.Metrics.Sum(SentCounter));
        Assert.Equal(100, harness.Metrics.Sum(FailedCounter, "FailedTransiently", "ServiceBusy"));
        Assert.Equal(50, harness.Metrics.Sum(FailedCounter, "FailedTransiently", "skipped"));
    }

    [Fact]
    public async Task Each_task_goes_to_its_own_gemeentes_topic_and_no_other()
    {
        await using var harness = ServiceBusHarness.Start(Settings("TopicPrefix", "gm-"));
        OutboundMessage[] messages = [.. TestMessages.Create(3, prefix: "a").Select(m => In(m, "0363")), .. TestMessages.Create(2, prefix: "b").Select(m => In(m, "0599"))];

        var outcomes = await harness.PublishAsync(messages);

        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
        Assert.Equal(["gm-0363", "gm-0599"], harness.OpenedTopics.Order(StringComparer.Ordinal));
        Assert.Equal(["a-0000", "a-0001", "a-0002"], harness.SenderOf("gm-0363").Accepted.Select(m => m.MessageId));
        Assert.Equal(["b-0000", "b-0001"], harness.SenderOf("gm-0599").Accepted.Select(m => m.MessageId));
    }

    [Fact]
    public async Task A_full_topic_holds_back_only_its_own_gemeentes_tasks()
    {
        await using var harness = ServiceBusHarness.Start();
        harness.SenderOf("outreach-gm0599").Enqueue(new ServiceBusException(false, "quota", "outreach-gm0599", ServiceBusFailureReason.QuotaExceeded, null));
        OutboundMessage[] messages = [In(TestMessages.One("full-1"), "0599"), TestMessages.One("ok-1"), In(TestMessages.One("full-2"), "0599"), TestMessages.One("ok-2")];

        var outcomes = await harness.PublishAsync(messages);

        Assert.Equal([PublishStatus.FailedTransiently, PublishStatus.Sent, PublishStatus.FailedTransiently, PublishStatus.Sent], outcomes.Select(o => o.Status));
        Assert.Equal(["ok-1", "ok-2"], harness.Sender.Accepted.Select(m => m.MessageId));
        Assert.StartsWith("QuotaExceeded (", outcomes[0].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("GM0363")]
    [InlineData("363")]
    public async Task A_task_without_a_valid_gemeentecode_fails_permanently_and_reaches_no_topic(string? code)
    {
        await using var harness = ServiceBusHarness.Start();
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "schuldhulp-noord" };
        if (code is not null) { properties["gemeentecode"] = code; }

        var outcome = Assert.Single(await harness.PublishAsync([TestMessages.One("nowhere-1") with { ApplicationProperties = properties }]));

        Assert.Equal(PublishStatus.FailedPermanently, outcome.Status);
        Assert.StartsWith("InvalidMessage (Service Bus does not accept its gemeentecode property", outcome.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.OpenedTopics);
    }

    private static OutboundMessage In(OutboundMessage message, string gemeentecode) =>
        message with { ApplicationProperties = new Dictionary<string, string>(message.ApplicationProperties, StringComparer.Ordinal) { ["gemeentecode"] = gemeentecode } };

    [Fact]
    public async Task A_permanent_failure_of_one_batch_does_not_stop_the_later_ones()
    {
        await using var harness = ServiceBusHarness.Start();
        harness.Sender.Enqueue(new ServiceBusException(false, "disabled", "outreach-gm0363", ServiceBusFailureReason.MessagingEntityDisabled, null));

        var outcomes = await harness.PublishAsync(TestMessages.Create(250));

        Assert.Equal([false, true, true], harness.Sender.Sends.Select(s => s.Accepted));
        Assert.All(outcomes.Take(100), o => Assert.Equal(PublishStatus.FailedPermanently, o.Status));
        Assert.All(outcomes.Skip(100), o => Assert.Equal(PublishStatus.Sent, o.Status));
    }

    [Fact]
    public async Task When_no_batch_can_be_created_every_message_gets_that_failure_and_nothing_is_sent()
    {
        await using var harness = ServiceBusHarness.Start();
        harness.Sender.CreateBatchFailure = new UnauthorizedAccessException("Unauthorized access. 'Send' claim(s) are required");

        var outcomes = await harness.PublishAsync(TestMessages.Create(3));

        Assert.Empty(harness.Sender.Sends);
        Assert.All(outcomes, o =>
        {
            Assert.Equal(PublishStatus.FailedPermanently, o.Status);
            Assert.Equal("Unauthorized (the identity needs Azure Service Bus Data Sender on the gemeente's topic)", o.Reason);
        });
    }

    [Fact]
    public async Task A_link_that_cannot_be_opened_for_a_later_batch_leaves_the_rest_pending()
    {
        await using var harness = ServiceBusHarness.Start(Settings("MaxBatchMessages", "2"));
        harness.Sender.Responder = (_, _) =>
        {
            harness.Sender.CreateBatchFailure = new ServiceBusException(true, "link", "outreach-gm0363", ServiceBusFailureReason.ServiceCommunicationProblem, null);
            return Task.CompletedTask;
        };

        var outcomes = await harness.PublishAsync(TestMessages.Create(5));

        Assert.Equal([PublishStatus.Sent, PublishStatus.Sent, PublishStatus.FailedTransiently, PublishStatus.FailedTransiently, PublishStatus.FailedTransiently],
            outcomes.Select(o => o.Status));
        Assert.All(outcomes.Skip(2), o => Assert.StartsWith("ServiceCommunicationProblem (", o.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancellation_by_the_caller_throws_instead_of_becoming_an_outcome()
    {
        await using var harness = ServiceBusHarness.Start();
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Sender.Responder = async (_, token) =>
        {
            sending.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
        };
        using var cts = new CancellationTokenSource();

        var publish = harness.PublishAsync(TestMessages.Create(2), cts.Token);
        await sending.Task.WaitAsync(Deadline);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish.WaitAsync(Deadline));
        Assert.Equal(0, harness.Metrics.Sum(FailedCounter));
    }

    [Fact]
    public async Task A_publish_cancelled_before_it_starts_creates_no_batch()
    {
        await using var harness = ServiceBusHarness.Start();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.PublishAsync(TestMessages.Create(2), cts.Token));
        Assert.Equal(0, harness.Sender.BatchesCreated);
    }

    // ---- No message lost, none sent twice ----

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Every_message_gets_exactly_one_outcome_in_input_order_whatever_the_broker_answers(int seed)
    {
        await using var harness = ServiceBusHarness.Start(Settings("MaxBatchMessages", "20"));
        harness.Sender.MaxBatchBytes = 16_384;
        var random = new Random(seed);
        Exception?[] answers =
        [
            null, null, null, null, null, null,
            new ServiceBusException(false, "too large", "outreach-gm0363", ServiceBusFailureReason.MessageSizeExceeded, null),
            new ServiceBusException(false, "disabled", "outreach-gm0363", ServiceBusFailureReason.MessagingEntityDisabled, null),
            new UnauthorizedAccessException("no Send claim"),
            new ServiceBusException(true, "busy", "outreach-gm0363", ServiceBusFailureReason.ServiceBusy, null),
        ];
        harness.Sender.Responder = (_, _) =>
        {
            Exception? answer;
            lock (random)
            {
                answer = answers[random.Next(answers.Length)];
            }

            return answer is null ? Task.CompletedTask : Task.FromException(answer);
        };
        var messages = Enumerable.Range(0, 250).Select(i => TestMessages.One($"m-{seed}-{i:D4}", random.Next(100, 20_000))).ToArray();

        var outcomes = await harness.PublishAsync(messages);

        Assert.Equal(messages.Select(m => m.MessageId), outcomes.Select(o => o.MessageId));
        var accepted = harness.Sender.Accepted.Select(m => m.MessageId).ToList();
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        Assert.Equal(outcomes.Where(o => o.Status == PublishStatus.Sent).Select(o => o.MessageId).Order(), accepted.Order());
        Assert.All(outcomes.Where(o => o.Status != PublishStatus.Sent), o => Assert.False(string.IsNullOrEmpty(o.Reason)));
        Assert.Equal(
            messages.Length,
            harness.Metrics.Sum(SentCounter) + harness.Metrics.Sum(FailedCounter));
    }

    [Fact]
    public async Task Logs_and_metric_tags_carry_no_message_bodies_or_property_values()
    {
        await using var harness = ServiceBusHarness.Start(Settings("MaxBatchMessages", "2"));
        harness.Sender.MaxBatchBytes = 4096;
        harness.Sender.Enqueue(
            new ServiceBusException(false, "disabled", "outreach-gm0363", ServiceBusFailureReason.MessagingEntityDisabled, null),
            null,
            new ServiceBusException(true, "busy", "outreach-gm0363", ServiceBusFailureReason.ServiceBusy, null));
        OutboundMessage[] messages = [TestMessages.One("huge-1", 10_000), .. TestMessages.Create(7), TestMessages.One("bad-1") with { SessionId = new string('s', 200) }];

        await harness.PublishAsync(messages);

        Assert.NotEmpty(harness.Logs.Entries);
        Assert.All(harness.Logs.Entries, e =>
        {
            Assert.DoesNotContain("xxxx", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("0363", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("household-", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("sss", e.Message, StringComparison.Ordinal);
        });
        Assert.All(harness.Metrics.Measurements, m => Assert.All(m.Tags.Keys, k => Assert.Contains(k, new[] { "status", "reason_code" })));
    }

    private static Dictionary<string, string?> Settings(string name, string value) => new() { [name] = value };
}
