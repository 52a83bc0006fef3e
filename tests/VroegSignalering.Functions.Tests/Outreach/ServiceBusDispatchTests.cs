using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>
/// The real pipeline on Azurite dispatching through the Service Bus REST transport to a local broker: a 400
/// marks the outbox row failed with its reason, and a retry after the fix sends the task once, by its id.
/// </summary>
public sealed class ServiceBusDispatchTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Path, string? Authorization, string Body)> _received = new();
    private WebApplication? _broker;
    private PipelineApp? _app;
    private volatile int _status = 400;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _broker = builder.Build();
        _broker.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            _received.Enqueue((context.Request.Path.Value ?? "", context.Request.Headers.Authorization.ToString(), await reader.ReadToEndAsync()));
            context.Response.StatusCode = _status;
        });
        await _broker.StartAsync();
        var address = _broker.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _app = new PipelineApp(new Dictionary<string, string?>
        {
            ["Dispatch:Transport"] = "ServiceBus",
            ["Dispatch:ServiceBus:ConnectionString"] = "Endpoint=sb://vroeg-test.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=dGVzdC1vbmx5LWtleQ==",
            ["Dispatch:ServiceBus:Endpoint"] = address,
            ["Dispatch:ServiceBus:BaseRetryDelay"] = "00:00:00",
            ["Dispatch:ServiceBus:MaxRetryDelay"] = "00:00:00.010",
            ["Dispatch:SweepAfter"] = "00:00:00",
        });
    }

    [Fact]
    public async Task A_400_marks_the_row_failed_with_the_reason_and_a_retry_after_the_fix_sends_the_task_once()
    {
        using (var response = await _app!.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("SB-400", huisnummer: 39))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await _app.RunPipelineAsync();

        var row = Assert.Single(await _app.RowsAsync("o|"));
        Assert.Equal("Failed", row.GetString("Status"));
        Assert.Contains("400", row.GetString("LastError"), StringComparison.Ordinal);
        var refused = Assert.Single(_received);
        Assert.Equal("/outreach-tasks/messages", refused.Path);
        Assert.StartsWith("SharedAccessSignature sr=", refused.Authorization, StringComparison.Ordinal);

        _status = 201;
        var summary = await _app.Services.GetRequiredService<OutboxDispatcher>().RetryFailedAsync(CancellationToken.None);
        await _app.SweepAsync();

        Assert.Equal(1, summary.Sent);
        Assert.Equal("Dispatched", Assert.Single(await _app.RowsAsync("o|")).GetString("Status"));
        var taskId = Assert.Single(await _app.RowsAsync("t|")).RowKey[2..];
        var ids = _received.Select(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray()
            .Select(m => m.GetProperty("BrokerProperties").GetProperty("MessageId").GetString()).Single()).ToList();
        Assert.Equal([taskId, taskId], ids);
    }

    public async Task DisposeAsync()
    {
        _app?.Dispose();
        if (_broker is not null)
        {
            await _broker.StopAsync();
            await _broker.DisposeAsync();
        }
    }
}
