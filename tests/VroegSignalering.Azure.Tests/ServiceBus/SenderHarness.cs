using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.Tests.ServiceBus;

// The SDK transport over a FakeServiceBusSender, with its logs and metrics recorded.
internal sealed class SenderHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private SenderHarness(ServiceProvider provider, FakeServiceBusSender sender, RecordingLoggerProvider logs, ServiceBusTransportOptions options)
    {
        _provider = provider;
        Sender = sender;
        Logs = logs;
        Metrics = new MetricRecorder(provider.GetRequiredService<IMeterFactory>());
        Transport = new ServiceBusTransport(sender, options, provider.GetRequiredService<ServiceBusMetrics>(), provider.GetRequiredService<ILogger<ServiceBusTransport>>());
    }

    public FakeServiceBusSender Sender { get; }

    public ServiceBusTransport Transport { get; }

    public RecordingLoggerProvider Logs { get; }

    public MetricRecorder Metrics { get; }

    public static SenderHarness Start(ServiceBusTransportOptions? options = null)
    {
        var logs = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddMetrics();
        services.AddSingleton<ServiceBusMetrics>();
        return new SenderHarness(services.BuildServiceProvider(validateScopes: true), new FakeServiceBusSender(), logs, options ?? new ServiceBusTransportOptions());
    }

    public Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken = default) =>
        Transport.PublishAsync(messages, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await _provider.DisposeAsync();
    }
}
