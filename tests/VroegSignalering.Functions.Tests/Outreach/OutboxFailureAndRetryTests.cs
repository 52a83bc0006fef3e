using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>
/// A broker that refuses a task for good marks the outbox row failed with its reason (nothing lost),
/// and `vroeg outbox retry` (OutboxDispatcher.RetryFailedAsync) sends it once the cause is fixed.
/// </summary>
public sealed class OutboxFailureAndRetryTests : IDisposable
{
    private readonly SwitchableTransport _transport = new();
    private readonly PipelineApp _app;

    public OutboxFailureAndRetryTests()
    {
        _app = new PipelineApp(new Dictionary<string, string?> { ["Dispatch:SweepAfter"] = "00:00:00" }, services: _transport.Install);
    }

    [Fact]
    public async Task A_permanent_refusal_marks_the_row_failed_with_its_reason_and_a_retry_sends_it_once_fixed()
    {
        _transport.Refuse = "403 Forbidden (no Send claim)";
        using (var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("FAIL-1", huisnummer: 40))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await _app.RunPipelineAsync();

        var row = Assert.Single(await _app.RowsAsync("o|"));
        Assert.Equal("Failed", row.GetString("Status"));
        Assert.Equal("403 Forbidden (no Send claim)", row.GetString("LastError"));
        var dispatcher = _app.Services.GetRequiredService<OutboxDispatcher>();
        var index = _app.Services.GetRequiredService<IOutboxIndex>();
        var failed = new List<string>();
        await foreach (var pointer in index.ListAsync(OutboxIndexState.Failed, DateTimeOffset.MaxValue, CancellationToken.None))
        {
            failed.Add(pointer.TaskId);
        }

        Assert.Single(failed);

        _transport.Refuse = null;
        var summary = await dispatcher.RetryFailedAsync(CancellationToken.None);

        Assert.Equal(1, summary.Sent);
        Assert.Equal("Dispatched", Assert.Single(await _app.RowsAsync("o|")).GetString("Status"));
        await foreach (var _ in index.ListAsync(OutboxIndexState.Failed, DateTimeOffset.MaxValue, CancellationToken.None))
        {
            Assert.Fail("no failed rows should remain");
        }

        Assert.Equal(1, await _app.Services.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopic>().CountAsync("0363", CancellationToken.None));
    }

    [Fact]
    public async Task A_transient_failure_leaves_the_row_pending_for_the_sweeper()
    {
        _transport.Transient = true;
        using (await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("TRANS-1", huisnummer: 2, postcode: "1011AC"))))
        {
        }

        await _app.ProcessAllAsync();
        await _app.TriageAsync();
        await _app.DispatchAllAsync();
        Assert.Equal("Pending", Assert.Single(await _app.RowsAsync("o|")).GetString("Status"));

        _transport.Transient = false;
        var summary = await _app.Services.GetRequiredService<OutboxDispatcher>().SweepAsync(CancellationToken.None);

        Assert.Equal(0, summary.FailedPermanently);
        Assert.Equal("Dispatched", Assert.Single(await _app.RowsAsync("o|")).GetString("Status"));
    }

    public void Dispose() => _app.Dispose();
}

/// <summary>The app wires the transport configuration selects.</summary>
public sealed class TransportSelectionTests
{
    [Fact]
    public void Dispatch_transport_servicebus_resolves_the_service_bus_sdk_transport_without_connecting()
    {
        using var app = new PipelineApp(new Dictionary<string, string?>
        {
            ["Dispatch:Transport"] = "ServiceBus",
            ["Dispatch:ServiceBus:FullyQualifiedNamespace"] = "vroeg-test.servicebus.windows.net",
            ["Dispatch:ServiceBus:ClientId"] = "00000000-0000-0000-0000-000000000001",
        });

        Assert.IsType<ServiceBusTransport>(app.Services.GetRequiredService<IOutreachTransport>());
    }

    [Fact]
    public void Without_a_setting_the_local_topic_transport_is_used()
    {
        using var app = new PipelineApp();

        Assert.IsType<VroegSignalering.Azure.Transport.LocalTopicTransport>(app.Services.GetRequiredService<IOutreachTransport>());
    }
}
