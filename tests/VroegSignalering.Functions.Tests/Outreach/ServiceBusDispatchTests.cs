using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>
/// The real pipeline on Azurite dispatching through the Service Bus SDK transport, with the topic's
/// ServiceBusSender replaced by a fake (no broker is reachable here): a refused send marks the outbox row
/// failed with its reason, and a retry after the fix sends the task once, by its id.
/// </summary>
public sealed class ServiceBusDispatchTests : IDisposable
{
    private readonly TopicSender _topic = new();
    private readonly TopicClient _client;
    private readonly PipelineApp _app;

    public ServiceBusDispatchTests()
    {
        _client = new TopicClient(_topic);
        _app = new PipelineApp(
            new Dictionary<string, string?>
            {
                ["Dispatch:Transport"] = "ServiceBus",
                ["Dispatch:ServiceBus:FullyQualifiedNamespace"] = "vroeg-test.servicebus.windows.net",
                ["Dispatch:SweepAfter"] = "00:00:00",
            },
            // Registered after the app's own client, so the transport asks this one for each gemeente topic's sender.
            services: s => s.AddSingleton<ServiceBusClient>(_client));
    }

    [Fact]
    public async Task A_refused_send_marks_the_row_failed_with_the_reason_and_a_retry_after_the_fix_sends_the_task_once()
    {
        _topic.Refusal = new UnauthorizedAccessException("Unauthorized access. 'Send' claim(s) are required to perform this operation.");
        using (var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("SB-REFUSED", huisnummer: 39))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await _app.RunPipelineAsync();

        var row = Assert.Single(await _app.RowsAsync("o|"));
        Assert.Equal("Failed", row.GetString("Status"));
        Assert.StartsWith("Unauthorized (", row.GetString("LastError"), StringComparison.Ordinal);
        var refused = Assert.Single(_topic.Attempts);
        Assert.False(refused.Accepted);

        _topic.Refusal = null;
        var summary = await _app.Services.GetRequiredService<OutboxDispatcher>().RetryFailedAsync(CancellationToken.None);
        await _app.SweepAsync();

        Assert.Equal(1, summary.Sent);
        Assert.Equal("Dispatched", Assert.Single(await _app.RowsAsync("o|")).GetString("Status"));
        var taskId = Assert.Single(await _app.RowsAsync("t|")).RowKey[2..];
        Assert.Equal([(taskId, false), (taskId, true)], _topic.Attempts.Select(a => (a.Message.MessageId, a.Accepted)));
        var sent = _topic.Attempts.Last().Message;
        Assert.Equal("outreach-task.v1", sent.Subject);
        Assert.False(string.IsNullOrEmpty(sent.SessionId));
        Assert.Equal(sent.SessionId, sent.CorrelationId);
        Assert.True(sent.ApplicationProperties.ContainsKey("gemeentecode"));
        Assert.Equal(["outreach-gm" + sent.ApplicationProperties["gemeentecode"]], _client.Topics.Distinct());
    }

    public void Dispose() => _app.Dispose();

    // A client without a broker: every topic's sender is the one fake, and the topics asked for are recorded.
    private sealed class TopicClient(TopicSender sender) : ServiceBusClient
    {
        public List<string> Topics { get; } = [];

        public override ServiceBusSender CreateSender(string queueOrTopicName)
        {
            lock (Topics)
            {
                Topics.Add(queueOrTopicName);
            }

            return sender;
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    // The topic's sender without a broker: batches from ServiceBusModelFactory, each send recorded and
    // refused with Refusal while it is set.
    private sealed class TopicSender : ServiceBusSender
    {
        private readonly ConditionalWeakTable<ServiceBusMessageBatch, List<ServiceBusMessage>> _batches = new();

        public Exception? Refusal { get; set; }

        public ConcurrentQueue<(ServiceBusMessage Message, bool Accepted)> Attempts { get; } = new();

        public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default) =>
            CreateMessageBatchAsync(new CreateMessageBatchOptions(), cancellationToken);

        public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CreateMessageBatchOptions options, CancellationToken cancellationToken = default)
        {
            var store = new List<ServiceBusMessage>();
            var batch = ServiceBusModelFactory.ServiceBusMessageBatch(0, store);
            _batches.Add(batch, store);
            return ValueTask.FromResult(batch);
        }

        public override Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
        {
            var refusal = Refusal;
            foreach (var message in _batches.TryGetValue(messageBatch, out var store) ? store : [])
            {
                Attempts.Enqueue((message, refusal is null));
            }

            return refusal is null ? Task.CompletedTask : Task.FromException(refusal);
        }

        public override Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
