using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.Tests.ServiceBus;

public class ServiceBusRestTransportTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // ---- HTTP contract ----

    [Fact]
    public async Task A_publish_posts_to_the_topic_messages_endpoint_with_the_exact_batch_content_type()
    {
        await using var harness = await TransportHarness.StartAsync();

        var outcomes = await harness.PublishAsync(TestMessages.Create(3));

        var request = Assert.Single(harness.Broker.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/outreach-tasks/messages", request.Path);
        Assert.Equal("application/vnd.microsoft.servicebus.json", request.ContentType);
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
    }

    [Fact]
    public async Task Each_message_carries_its_body_broker_properties_and_user_properties()
    {
        await using var harness = await TransportHarness.StartAsync();
        var message = TestMessages.One("task-0042") with { Body = """{"taskId":"task-0042","naam":"Jaël Öztürk"}""" };

        await harness.PublishAsync([message]);

        var sent = Assert.Single(Assert.Single(harness.Broker.Requests).Messages());
        Assert.Equal(message.Body, sent.GetProperty("Body").GetString());
        var broker = sent.GetProperty("BrokerProperties");
        Assert.Equal("task-0042", broker.GetProperty("MessageId").GetString());
        Assert.Equal("household-task-0042", broker.GetProperty("SessionId").GetString());
        Assert.Equal("outreach-task.v1", broker.GetProperty("Label").GetString());
        Assert.Equal("case-task-0042", broker.GetProperty("CorrelationId").GetString());
        Assert.Equal(JsonValueKind.Number, broker.GetProperty("TimeToLive").ValueKind);
        Assert.Equal(14 * 24 * 3600, broker.GetProperty("TimeToLive").GetDouble());
        Assert.Equal("application/json", broker.GetProperty("ContentType").GetString());
        var user = sent.GetProperty("UserProperties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(message.ApplicationProperties, user);
    }

    [Fact]
    public async Task Broker_properties_a_message_does_not_have_are_left_out()
    {
        await using var harness = await TransportHarness.StartAsync();
        var bare = new OutboundMessage { MessageId = "bare-1", Subject = "outreach-task.v1", Body = "{}" };

        await harness.PublishAsync([bare]);

        var sent = Assert.Single(Assert.Single(harness.Broker.Requests).Messages());
        var names = sent.GetProperty("BrokerProperties").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["MessageId", "Label", "ContentType"], names);
        Assert.False(sent.TryGetProperty("UserProperties", out _));
    }

    [Fact]
    public async Task Entra_id_requests_carry_a_bearer_token_for_the_service_bus_scope()
    {
        await using var harness = await TransportHarness.StartAsync();

        await harness.PublishAsync(TestMessages.Create(1));

        Assert.Equal("Bearer token-1", Assert.Single(harness.Broker.Requests).Authorization);
        Assert.Equal(["https://servicebus.azure.net/.default"], Assert.Single(harness.Credential.RequestedScopes));
    }

    [Fact]
    public async Task The_token_is_reused_until_five_minutes_before_it_expires()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var harness = await TransportHarness.StartAsync(time: time);

        await harness.PublishAsync(TestMessages.Create(1, prefix: "a"));
        time.Advance(TimeSpan.FromMinutes(54));
        await harness.PublishAsync(TestMessages.Create(1, prefix: "b"));
        time.Advance(TimeSpan.FromMinutes(1));
        await harness.PublishAsync(TestMessages.Create(1, prefix: "c"));

        Assert.Equal(["Bearer token-1", "Bearer token-1", "Bearer token-2"], harness.Broker.Requests.Select(r => r.Authorization));
        Assert.Equal(2, harness.Credential.Calls);
    }

    [Fact]
    public async Task Shared_access_signatures_verify_against_the_key_for_the_topic_uri()
    {
        var now = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(now);
        await using var harness = await TransportHarness.StartAsync(
            new Dictionary<string, string?> { ["FullyQualifiedNamespace"] = null, ["ConnectionString"] = TransportHarness.ConnectionString },
            time);

        await harness.PublishAsync(TestMessages.Create(1));

        var header = Assert.Single(harness.Broker.Requests).Authorization!;
        Assert.StartsWith("SharedAccessSignature ", header, StringComparison.Ordinal);
        var fields = header["SharedAccessSignature ".Length..].Split('&')
            .Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal(["sr", "sig", "se", "skn"], fields.Keys);
        Assert.Equal("https://vroeg-ns.servicebus.windows.net/outreach-tasks", WebUtility.UrlDecode(fields["sr"]));
        Assert.Equal("https%3A%2F%2Fvroeg-ns.servicebus.windows.net%2Foutreach-tasks", fields["sr"]);
        Assert.Equal((now + TimeSpan.FromHours(1)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), fields["se"]);
        Assert.Equal(TransportHarness.KeyName, fields["skn"]);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TransportHarness.Key), Encoding.UTF8.GetBytes(fields["sr"] + "\n" + fields["se"]));
        Assert.Equal(Convert.ToBase64String(expected), WebUtility.UrlDecode(fields["sig"]));
        Assert.Equal(0, harness.Credential.Calls);
    }

    // ---- Faults ----

    [Fact]
    public async Task A_429_is_retried_after_the_delay_its_retry_after_asks_for_not_the_backoff()
    {
        // The backoff would wait ten minutes on a clock that never moves; only honouring Retry-After: 0 finishes.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var harness = await TransportHarness.StartAsync(
            new Dictionary<string, string?> { ["BaseRetryDelay"] = "00:10:00", ["MaxRetryDelay"] = "00:10:00" }, time);
        harness.Broker.Enqueue(ScriptedResponse.WithRetryAfter(429, "0"));

        // A guard, not a wait: if Retry-After were ignored the publish would park on the fake clock, and only
        // cancelling it lets the test fail instead of hanging (pipeline disposal waits for running executions).
        using var guard = new CancellationTokenSource(Deadline);
        var outcomes = await harness.PublishAsync(TestMessages.Create(2), guard.Token);

        Assert.Equal([429, 201], harness.Broker.Requests.Select(r => r.Status));
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
        var retry = Assert.Single(harness.Logs.WithEvent("RetryScheduled"));
        Assert.Equal(TimeSpan.Zero, retry.Values["Delay"]);
        Assert.Equal("429", retry.Values["Failure"]);
    }

    [Fact]
    public async Task A_503_is_retried_and_the_batch_then_sent()
    {
        await using var harness = await TransportHarness.StartAsync();
        harness.Broker.Enqueue(new ScriptedResponse(503));

        var outcomes = await harness.PublishAsync(TestMessages.Create(5));

        Assert.Equal([503, 201], harness.Broker.Requests.Select(r => r.Status));
        Assert.Equal(harness.Broker.Requests[0].Body, harness.Broker.Requests[1].Body);
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
    }

    [Fact]
    public async Task A_401_refreshes_the_token_once_and_resends_the_batch()
    {
        await using var harness = await TransportHarness.StartAsync();
        harness.Broker.Enqueue(new ScriptedResponse(401));

        var outcomes = await harness.PublishAsync(TestMessages.Create(3));

        Assert.Equal(["Bearer token-1", "Bearer token-2"], harness.Broker.Requests.Select(r => r.Authorization));
        Assert.Equal(2, harness.Credential.Calls);
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
    }

    [Fact]
    public async Task A_second_401_after_the_token_refresh_fails_the_batch_permanently()
    {
        await using var harness = await TransportHarness.StartAsync();
        harness.Broker.Enqueue(new ScriptedResponse(401), new ScriptedResponse(401));

        var outcomes = await harness.PublishAsync(TestMessages.Create(2));

        Assert.Equal(2, harness.Broker.Requests.Count);
        Assert.All(outcomes, o =>
        {
            Assert.Equal(PublishStatus.FailedPermanently, o.Status);
            Assert.Contains("401", o.Reason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_413_on_a_batch_splits_it_in_halves_and_sends_every_message()
    {
        await using var harness = await TransportHarness.StartAsync();
        harness.Broker.Enqueue(new ScriptedResponse(413));
        var messages = TestMessages.Create(4);

        var outcomes = await harness.PublishAsync(messages);

        Assert.Equal([4, 2, 2], harness.Broker.Requests.Select(r => r.MessageIds().Length));
        Assert.Equal(messages.Select(m => m.MessageId), harness.Broker.Requests.Skip(1).SelectMany(r => r.MessageIds()));
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
    }

    [Fact]
    public async Task A_413_on_a_single_message_fails_it_permanently_with_the_status()
    {
        await using var harness = await TransportHarness.StartAsync();
        harness.Broker.Enqueue(new ScriptedResponse(413), new ScriptedResponse(413));
        var messages = TestMessages.Create(2);

        var outcomes = await harness.PublishAsync(messages);

        Assert.Equal([2, 1, 1], harness.Broker.Requests.Select(r => r.MessageIds().Length));
        Assert.Equal(PublishStatus.FailedPermanently, outcomes[0].Status);
        Assert.Contains("413", outcomes[0].Reason, StringComparison.Ordinal);
        Assert.Equal(PublishStatus.Sent, outcomes[1].Status);
        Assert.Equal(1, harness.Metrics.Sum(ServiceBusMetrics.FailedCounterName, "FailedPermanently", "413"));
    }

    [Fact]
    public async Task A_403_saying_the_quota_is_exceeded_splits_the_batch_like_a_413()
    {
        await using var harness = await TransportHarness.StartAsync();
        harness.Broker.Enqueue(new ScriptedResponse(403, Body: "<Error><Code>403</Code><Detail>Quota exceeded or message too large.</Detail></Error>"));

        var outcomes = await harness.PublishAsync(TestMessages.Create(6));

        Assert.Equal([6, 3, 3], harness.Broker.Requests.Select(r => r.MessageIds().Length));
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));
    }

    [Theory]
    [InlineData(400, "<Error><Code>400</Code><Detail>Bad request.</Detail></Error>")]
    [InlineData(403, "<Error><Code>401</Code><Detail>Unauthorized access. 'Send' claim(s) are required.</Detail></Error>")]
    [InlineData(410, "")]
    public async Task Errors_retrying_cannot_fix_fail_the_batch_permanently_at_once(int status, string body)
    {
        await using var harness = await TransportHarness.StartAsync();
        harness.Broker.Enqueue(new ScriptedResponse(status, Body: body));
        var messages = TestMessages.Create(3);

        var outcomes = await harness.PublishAsync(messages);

        Assert.Single(harness.Broker.Requests);
        Assert.All(outcomes, o =>
        {
            Assert.Equal(PublishStatus.FailedPermanently, o.Status);
            Assert.StartsWith($"HTTP {status} ", o.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain("xxxx", o.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain("gemeentecode", o.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(3, harness.Metrics.Sum(ServiceBusMetrics.FailedCounterName, "FailedPermanently", status.ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Transient_failures_that_outlast_the_retries_fail_transiently_and_hold_back_later_batches()
    {
        await using var harness = await TransportHarness.StartAsync(new Dictionary<string, string?> { ["MaxRetryAttempts"] = "2" });
        harness.Broker.AlwaysAnswer(503);

        var outcomes = await harness.PublishAsync(TestMessages.Create(150));

        Assert.Equal(3, harness.Broker.Requests.Count);
        Assert.All(outcomes.Take(100), o =>
        {
            Assert.Equal(PublishStatus.FailedTransiently, o.Status);
            Assert.Contains("503", o.Reason, StringComparison.Ordinal);
        });
        Assert.All(outcomes.Skip(100), o =>
        {
            Assert.Equal(PublishStatus.FailedTransiently, o.Status);
            Assert.StartsWith("not sent: an earlier batch failed transiently", o.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(100, harness.Metrics.Sum(ServiceBusMetrics.FailedCounterName, "FailedTransiently", "503"));
        Assert.Equal(50, harness.Metrics.Sum(ServiceBusMetrics.FailedCounterName, "FailedTransiently", "skipped"));
    }

    [Fact]
    public async Task An_open_circuit_fails_messages_transiently_without_calling_the_broker()
    {
        await using var harness = await TransportHarness.StartAsync(new Dictionary<string, string?>
        {
            ["CircuitBreakerMinimumThroughput"] = "2",
            ["CircuitBreakerBreakDuration"] = "00:05:00",
        });
        harness.Broker.AlwaysAnswer(500);

        var first = await harness.PublishAsync(TestMessages.Create(2, prefix: "a"));
        var second = await harness.PublishAsync(TestMessages.Create(2, prefix: "b"));

        Assert.Equal(2, harness.Broker.Requests.Count);
        Assert.All(first.Concat(second), o =>
        {
            Assert.Equal(PublishStatus.FailedTransiently, o.Status);
            Assert.Contains("circuit open", o.Reason, StringComparison.Ordinal);
        });
        Assert.Single(harness.Logs.WithEvent("CircuitOpened"));
    }

    [Fact]
    public async Task Cancellation_throws_instead_of_becoming_an_outcome()
    {
        await using var harness = await TransportHarness.StartAsync();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Broker.Responder = async (_, aborted) =>
        {
            received.TrySetResult();
            await Task.Delay(Timeout.Infinite, aborted);
            return ScriptedResponse.Created;
        };
        using var cts = new CancellationTokenSource();

        var publish = harness.PublishAsync(TestMessages.Create(2), cts.Token);
        await received.Task.WaitAsync(Deadline);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish.WaitAsync(Deadline));
    }

    // ---- Batching ----

    [Fact]
    public async Task A_150_message_publish_goes_out_in_requests_of_at_most_100_in_input_order()
    {
        await using var harness = await TransportHarness.StartAsync();
        var messages = TestMessages.Create(150);

        var outcomes = await harness.PublishAsync(messages);

        Assert.True(harness.Broker.Requests.Count >= 2);
        Assert.All(harness.Broker.Requests, r => Assert.InRange(r.MessageIds().Length, 1, 100));
        Assert.Equal(messages.Select(m => m.MessageId), harness.Broker.Requests.SelectMany(r => r.MessageIds()));
        Assert.Equal(messages.Select(m => m.MessageId), outcomes.Select(o => o.MessageId));
        Assert.Equal(150, harness.Metrics.Sum(ServiceBusMetrics.SentCounterName));
    }

    [Fact]
    public async Task Batches_are_cut_by_measured_size_so_no_request_body_exceeds_the_limit()
    {
        const int limit = 8192;
        await using var harness = await TransportHarness.StartAsync(new Dictionary<string, string?> { ["MaxBatchBytes"] = "8192" });
        var random = new Random(7);
        var messages = Enumerable.Range(0, 60).Select(i => TestMessages.One($"task-{i:D4}", random.Next(200, 2500))).ToArray();

        var outcomes = await harness.PublishAsync(messages);

        var requests = harness.Broker.Requests;
        Assert.True(requests.Count > 1);
        Assert.All(requests, r => Assert.InRange(r.Body.Length, 1, limit));
        Assert.Equal(messages.Select(m => m.MessageId), requests.SelectMany(r => r.MessageIds()));
        Assert.All(outcomes, o => Assert.Equal(PublishStatus.Sent, o.Status));

        // Greedy packing: each request was closed only because the next message would not have fitted.
        for (var i = 0; i < requests.Count - 1; i++)
        {
            var next = requests[i + 1].Messages()[0].GetRawText();
            var nextBytes = Encoding.UTF8.GetByteCount(next);
            Assert.True(requests[i].Body.Length + 1 + nextBytes > limit, $"request {i} had room for the next message");
        }
    }

    [Fact]
    public async Task A_message_over_the_size_limit_fails_permanently_and_the_others_are_sent()
    {
        await using var harness = await TransportHarness.StartAsync(new Dictionary<string, string?> { ["MaxBatchBytes"] = "8192" });
        OutboundMessage[] messages = [TestMessages.One("small-1"), TestMessages.One("huge-1", 20_000), TestMessages.One("small-2")];

        var outcomes = await harness.PublishAsync(messages);

        Assert.Equal(["small-1", "small-2"], Assert.Single(harness.Broker.Requests).MessageIds());
        Assert.Equal(PublishStatus.FailedPermanently, outcomes[1].Status);
        var match = System.Text.RegularExpressions.Regex.Match(outcomes[1].Reason!, @"^message too large \((\d+) bytes > 8192\)$");
        Assert.True(match.Success, outcomes[1].Reason);
        Assert.InRange(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 20_000, 21_000);
        Assert.Equal([PublishStatus.Sent, PublishStatus.FailedPermanently, PublishStatus.Sent], outcomes.Select(o => o.Status));
        Assert.Equal(1, harness.Metrics.Sum(ServiceBusMetrics.FailedCounterName, "FailedPermanently", "too_large"));
        Assert.Equal("huge-1", Assert.Single(harness.Logs.WithEvent("MessageTooLarge")).Values["MessageId"]);
    }

    [Fact]
    public async Task An_empty_publish_sends_nothing()
    {
        await using var harness = await TransportHarness.StartAsync();

        var outcomes = await harness.PublishAsync([]);

        Assert.Empty(outcomes);
        Assert.Empty(harness.Broker.Requests);
    }

    // ---- No message lost, none sent twice ----

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Every_message_gets_exactly_one_outcome_in_input_order_whatever_the_broker_answers(int seed)
    {
        await using var harness = await TransportHarness.StartAsync(new Dictionary<string, string?>
        {
            ["MaxBatchBytes"] = "16384",
            ["MaxRetryAttempts"] = "2",
            ["CircuitBreakerMinimumThroughput"] = "1000",
        });
        var random = new Random(seed);
        int[] answers = [201, 201, 201, 201, 201, 201, 413, 413, 400, 503, 429, 401, 403, 410];
        harness.Broker.Responder = (_, _) =>
        {
            int status;
            lock (random)
            {
                status = answers[random.Next(answers.Length)];
            }

            return Task.FromResult(new ScriptedResponse(status, Body: status == 403 ? "quota exceeded" : null));
        };
        var messages = Enumerable.Range(0, 250).Select(i => TestMessages.One($"m-{seed}-{i:D4}", random.Next(100, 3000))).ToArray();

        var outcomes = await harness.PublishAsync(messages);

        Assert.Equal(messages.Select(m => m.MessageId), outcomes.Select(o => o.MessageId));
        var accepted = harness.Broker.Requests.Where(r => r.Status == 201).SelectMany(r => r.MessageIds()).ToList();
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        Assert.Equal(
            outcomes.Where(o => o.Status == PublishStatus.Sent).Select(o => o.MessageId).Order(),
            accepted.Order());
        Assert.All(outcomes.Where(o => o.Status != PublishStatus.Sent), o => Assert.False(string.IsNullOrEmpty(o.Reason)));
        Assert.Equal(
            messages.Length,
            harness.Metrics.Sum(ServiceBusMetrics.SentCounterName) + harness.Metrics.Sum(ServiceBusMetrics.FailedCounterName));
    }

    [Fact]
    public async Task Logs_and_metric_tags_carry_no_message_bodies_or_property_values()
    {
        await using var harness = await TransportHarness.StartAsync(new Dictionary<string, string?> { ["MaxBatchBytes"] = "4096" });
        harness.Broker.Enqueue(new ScriptedResponse(503), new ScriptedResponse(413), new ScriptedResponse(400));
        OutboundMessage[] messages = [.. TestMessages.Create(6), TestMessages.One("huge-1", 10_000)];

        await harness.PublishAsync(messages);

        Assert.NotEmpty(harness.Logs.Entries);
        Assert.All(harness.Logs.Entries, e =>
        {
            Assert.DoesNotContain("xxxx", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("GM0363", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("household-", e.Message, StringComparison.Ordinal);
        });
        Assert.All(harness.Metrics.Measurements, m => Assert.All(m.Tags.Keys, k => Assert.Contains(k, new[] { "status", "reason_code" })));
    }
}
