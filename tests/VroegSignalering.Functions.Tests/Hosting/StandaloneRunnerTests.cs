using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Functions.Hosting;
using VroegSignalering.Functions.Hosting.Standalone;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Hosting;

/// <summary>
/// The standalone runner drives function.json triggers against real Azurite and invokes the real app
/// over HTTP with host-shaped payloads. Time is a FakeTimeProvider: nothing waits on the wall clock.
/// </summary>
public sealed class StandaloneRunnerTests : IDisposable
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);
    private readonly string _appRoot = Directory.CreateTempSubdirectory("vroeg-app-").FullName;
    private readonly string _queue = Azurite.UniqueName("q");
    private readonly string _failingQueue = Azurite.UniqueName("f");
    private readonly string _serviceBusQueue = Azurite.UniqueName("sb");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 4, 59, TimeSpan.Zero));
    private readonly RecordingFunction _timer = new("TestTimer");
    private readonly RecordingFunction _queued = new("TestQueue");
    private readonly RecordingFunction _failing = new("TestFailing", _ => InvocationResult.Failure("always"));
    private readonly RecordingFunction _outcome = new("TestOutcome");
    private readonly TestApp _app;
    private readonly TriggerListenerFactory.Listeners _listeners;
    private readonly HttpClient _http;

    public StandaloneRunnerTests()
    {
        File.WriteAllText(Path.Combine(_appRoot, "host.json"), """
            { "version": "2.0", "extensions": { "queues": { "batchSize": 4, "maxDequeueCount": 2, "visibilityTimeout": "00:00:00", "messageEncoding": "base64" } } }
            """);
        WriteFunction("TestTimer", """{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "%TestTimerSchedule%" } ] }""");
        WriteFunction("TestQueue", """{ "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "signals", "queueName": "%TestQueueName%" } ] }""");
        WriteFunction("TestFailing", """{ "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "signals", "queueName": "%TestFailingQueueName%" } ] }""");
        WriteFunction("TestOutcome", """{ "bindings": [ { "type": "serviceBusTrigger", "direction": "in", "name": "outcome", "queueName": "%TestServiceBusQueue%" } ] }""");
        WriteFunction("TestHttp", """{ "bindings": [ { "type": "httpTrigger", "direction": "in", "name": "req", "route": "x" }, { "type": "http", "direction": "out", "name": "res" } ] }""");

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["TestTimerSchedule"] = "0 */5 * * * *",
            ["TestQueueName"] = _queue,
            ["TestFailingQueueName"] = _failingQueue,
            ["TestServiceBusQueue"] = _serviceBusQueue,
        }).Build();
        _app = new TestApp([_timer, _queued, _failing, _outcome]);
        _http = _app.CreateClient();
        var options = Options.Create(new StandaloneOptions { ServiceBusMaxDeliveryCount = 3 });
        var factory = new TriggerListenerFactory(configuration, _time, options, NullLoggerFactory.Instance);
        _listeners = factory.Create(_appRoot, new HttpFunctionInvoker(_http));
    }

    [Fact]
    public void Every_timer_queue_and_service_bus_trigger_gets_a_listener_and_http_triggers_none()
    {
        Assert.Single(_listeners.Timers);
        Assert.Equal(
            new[] { _queue, _failingQueue, _serviceBusQueue }.Order(),
            _listeners.Queues.Select(q => q.QueueName).Order());
    }

    [Fact]
    public async Task A_timer_tick_reaches_the_handler_on_its_ncrontab_schedule_with_the_setting_resolved()
    {
        using var cts = new CancellationTokenSource();
        var timer = _listeners.Timers.Single();
        var next = _timer.NextCall;
        var run = timer.RunAsync(cts.Token);

        Assert.False(next.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1)); // 10:05:00, the next occurrence of */5 minutes

        var call = await next.WaitAsync(Safety);
        var info = call.Timer("timer");
        Assert.False(info.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 10, 0, TimeSpan.Zero), info.Next);
        await cts.CancelAsync();
        await run.WaitAsync(Safety);
        Assert.Single(_timer.Calls);
    }

    [Fact]
    public async Task A_queue_message_reaches_the_handler_host_shaped_and_is_deleted_after_success()
    {
        var queue = Azurite.Clients().Queues.GetQueueClient(_queue);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("""{"receiptId":"r-42","chunk":3,"rows":[]}""");

        var handled = await _listeners.Queues.Single(q => q.QueueName == _queue).PollOnceAsync(CancellationToken.None);

        Assert.Equal(1, handled);
        var call = Assert.Single(_queued.Calls);
        using var body = JsonDocument.Parse(call.BindingJson("signals"));
        Assert.Equal("r-42", body.RootElement.GetProperty("receiptId").GetString());
        Assert.Equal(1, call.QueueMessage().DequeueCount);
        Assert.Equal("r-42", call.MetadataText("receiptId"));
        Assert.Equal(3, call.MetadataInt("chunk"));
        Assert.Equal("\"r-42\"", call.Metadata("receiptId").GetString()); // quoted once more, as the host does
        Assert.False((await queue.PeekMessagesAsync()).Value.Length > 0);
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_retried_then_moved_to_the_poison_queue()
    {
        var queue = Azurite.Clients().Queues.GetQueueClient(_failingQueue);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("""{"receiptId":"r-poison","chunk":0,"rows":[]}""");
        var listener = _listeners.Queues.Single(q => q.QueueName == _failingQueue);

        Assert.Equal(1, await listener.PollOnceAsync(CancellationToken.None)); // attempt 1: visible again
        Assert.Equal(1, await listener.PollOnceAsync(CancellationToken.None)); // attempt 2 of 2: poisoned
        Assert.Equal(0, await listener.PollOnceAsync(CancellationToken.None));

        Assert.Equal([1, 2], _failing.Calls.Select(c => c.QueueMessage().DequeueCount));
        var poison = Azurite.Clients().Queues.GetQueueClient(_failingQueue + "-poison");
        var moved = (await poison.ReceiveMessagesAsync(10)).Value;
        var message = Assert.Single(moved);
        Assert.Equal("""{"receiptId":"r-poison","chunk":0,"rows":[]}""", message.Body.ToString());
        Assert.Empty((await queue.PeekMessagesAsync()).Value);
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_to_the_poison_queue_without_an_invocation()
    {
        var raw = Azurite.Clients().RawQueues.GetQueueClient(_failingQueue);
        await raw.CreateIfNotExistsAsync();
        await raw.SendMessageAsync("this is not base64!");

        await _listeners.Queues.Single(q => q.QueueName == _failingQueue).PollOnceAsync(CancellationToken.None);

        Assert.Empty(_failing.Calls);
        var poison = Azurite.Clients().RawQueues.GetQueueClient(_failingQueue + "-poison");
        Assert.Equal("this is not base64!", Assert.Single((await poison.ReceiveMessagesAsync(10)).Value).Body.ToString());
    }

    [Fact]
    public async Task A_service_bus_trigger_is_served_from_a_local_queue_with_broker_properties()
    {
        var queue = Azurite.Clients().Queues.GetQueueClient(_serviceBusQueue);
        await queue.CreateIfNotExistsAsync();
        var envelope = new LocalServiceBusMessage
        {
            MessageId = "t-01-outcome-1",
            CorrelationId = "case-01",
            ApplicationProperties = { ["gemeentecode"] = "0363" },
            Body = """{"taskId":"t-01","resultaat":"Vervolghulp en/of verwijzing financieel"}""",
        };
        await queue.SendMessageAsync(envelope.ToJson());

        await _listeners.Queues.Single(q => q.QueueName == _serviceBusQueue).PollOnceAsync(CancellationToken.None);

        var call = Assert.Single(_outcome.Calls);
        var info = call.ServiceBusMessage();
        Assert.Equal("t-01-outcome-1", info.MessageId);
        Assert.Equal("case-01", info.CorrelationId);
        Assert.Equal("0363", info.ApplicationProperties["gemeentecode"]);
        Assert.Equal(1, info.DeliveryCount);
        using var body = JsonDocument.Parse(call.BindingJson("outcome"));
        Assert.Equal("t-01", body.RootElement.GetProperty("taskId").GetString());
    }

    [Fact]
    public void Service_bus_entity_names_map_to_valid_storage_queue_names()
    {
        Assert.Equal("outreach-outcomes", TriggerListenerFactory.LocalQueueName("outreach-outcomes"));
        Assert.Equal("outreach-tasks-gm0363", TriggerListenerFactory.LocalQueueName("outreach-tasks-GM0363"));
        Assert.Equal("a-b", TriggerListenerFactory.LocalQueueName("a__b"));
    }

    [Fact]
    public void An_unresolved_setting_reference_names_the_missing_setting()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => FunctionDefinitions.ResolveSettings("%Nope%", _ => null));
        Assert.Contains("Nope", ex.Message, StringComparison.Ordinal);
        Assert.Equal("q-x-1", FunctionDefinitions.ResolveSettings("q-%A%-1", _ => "x"));
    }

    [Fact]
    public void An_invalid_schedule_is_rejected_with_the_expected_format()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => TimerTriggerListener.ParseSchedule("T", "*/5 * * * *"));
        Assert.Contains("six-field", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _http.Dispose();
        _app.Dispose();
        Directory.Delete(_appRoot, recursive: true);
        foreach (var name in new[] { _queue, _failingQueue, _serviceBusQueue })
        {
            var queues = Azurite.Clients().Queues;
            queues.GetQueueClient(name).DeleteIfExists();
            queues.GetQueueClient(name + "-poison").DeleteIfExists();
            queues.GetQueueClient(name + "-deadletter").DeleteIfExists();
        }
    }

    private void WriteFunction(string name, string json)
    {
        Directory.CreateDirectory(Path.Combine(_appRoot, name));
        File.WriteAllText(Path.Combine(_appRoot, name, "function.json"), json, Encoding.UTF8);
    }
}
