using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using VroegSignalering.Core.Common;
using VroegSignalering.Functions;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// In Azure the Functions host records each HTTP invocation as the request (Application Insights `requests`). The worker must not
/// record it a second time: its tracing listens to the app's own source and its outgoing HTTP calls, not to ASP.NET Core's server
/// activity. (The local host, standing in for the Functions host, adds that; docs/local-host.md.) This project runs no web host, so the
/// process-wide listener check sees only the worker's provider.
/// </summary>
public sealed class RequestTelemetryTests
{
    [Fact]
    public void The_worker_traces_its_own_spans_but_not_the_incoming_request_the_host_already_records()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddVroegFunctions();
        using var host = builder.Build();
        using var tracing = host.Services.GetRequiredService<TracerProvider>();

        using var aspNetCore = new ActivitySource("Microsoft.AspNetCore");
        using var app = new ActivitySource(VroegTelemetry.Name);
        Assert.True(app.HasListeners(), "the worker's tracing must listen to the app's own spans");
        Assert.False(aspNetCore.HasListeners(), "the worker records incoming requests a second time");
    }
}
