using System.Diagnostics.Metrics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;
using VroegSignalering.Functions.Health;
using VroegSignalering.LocalHost;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Telemetry;

/// <summary>
/// The SamplePipeline timer reads what waits in the app's storage (queues, poison queues, outbox,
/// quarantine) on real Azurite and records it as metrics with one heartbeat per run. Only the timer
/// records: nothing samples in the background on every instance.
/// </summary>
public sealed class SamplePipelineTests : IDisposable
{
    // Storage stamps queue messages with its own clock; the app's clock runs two hours ahead of it.
    private static readonly TimeSpan Ahead = TimeSpan.FromHours(2);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow + Ahead);
    private readonly TestApp _app;
    private readonly List<(string Name, double Value, string? Queue)> _measurements = [];
    private readonly MeterListener _listener = new();

    public SamplePipelineTests()
    {
        _app = new TestApp(services: s => s.AddSingleton<TimeProvider>(_time));
        var meter = _app.Services.GetRequiredService<VroegTelemetry>().Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Other tests run apps in parallel on meters of the same name: listen to this app's only.
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private StorageNames Names => _app.Services.GetRequiredService<StorageNames>();

    [Fact]
    public async Task A_sample_reports_queues_poison_queues_outbox_and_quarantine_with_their_oldest_ages_and_a_heartbeat()
    {
        var storage = _app.Services.GetRequiredService<StorageClients>();
        foreach (var (queue, messages) in new[] { (Names.SignalsIntakeQueue, 2), (Names.SignalsIntakeQueue + "-poison", 1), (Names.DispatchQueue + "-poison", 3) })
        {
            var client = storage.Queues.GetQueueClient(queue);
            await client.CreateIfNotExistsAsync();
            for (var i = 0; i < messages; i++)
            {
                await client.SendMessageAsync("e30=");
            }
        }

        var now = _time.GetUtcNow();
        var outbox = _app.Services.GetRequiredService<IOutboxIndex>();
        await outbox.AddAsync(new OutboxPointer("h1", "t-1", "0363", now.AddMinutes(-40)), OutboxIndexState.Pending, CancellationToken.None);
        await outbox.AddAsync(new OutboxPointer("h2", "t-2", "0363", now.AddMinutes(-3)), OutboxIndexState.Pending, CancellationToken.None);
        await outbox.AddAsync(new OutboxPointer("h3", "t-3", "0599", now.AddDays(-1)), OutboxIndexState.Failed, CancellationToken.None);
        var quarantine = _app.Services.GetRequiredService<IQuarantineStore>();
        await quarantine.AddAsync(Quarantined("r-1", "s-1", now.AddDays(-4)), CancellationToken.None);
        await quarantine.AddAsync(Quarantined("r-2", "s-2", now.AddHours(-1)), CancellationToken.None);
        await quarantine.AddAsync(Quarantined("r-2", "s-3", now.AddDays(-2.5)), CancellationToken.None);

        await RunTimerAsync();

        Assert.Equal([1.0], Values(VroegMetrics.Heartbeat));
        Assert.Equal(2, Value(VroegMetrics.QueueLength, Names.SignalsIntakeQueue));
        Assert.Equal(0, Value(VroegMetrics.QueueLength, Names.DispatchQueue));
        Assert.Equal(1, Value(VroegMetrics.PoisonLength, Names.SignalsIntakeQueue));
        Assert.Equal(3, Value(VroegMetrics.PoisonLength, Names.DispatchQueue));
        AssertAbout(Ahead, Value(VroegMetrics.QueueAge, Names.SignalsIntakeQueue));
        AssertAbout(Ahead, Value(VroegMetrics.PoisonAge, Names.DispatchQueue));
        Assert.Equal(0, Value(VroegMetrics.QueueAge, Names.DispatchQueue));
        Assert.Equal(2, Value(VroegMetrics.OutboxPending));
        Assert.Equal(TimeSpan.FromMinutes(40).TotalSeconds, Value(VroegMetrics.OutboxPendingAge));
        Assert.Equal(1, Value(VroegMetrics.OutboxFailed));
        Assert.Equal(3, Value(VroegMetrics.Quarantined));
        Assert.Equal(TimeSpan.FromDays(4).TotalSeconds, Value(VroegMetrics.QuarantineAge), precision: 3);

        // Quarantine:AlertAfterDays is 3 by default: the 4-day-old signal is overdue, the 2.5-day-old one not yet.
        Assert.Equal(1, Value(VroegMetrics.QuarantineOverdue));
    }

    [Fact]
    public async Task Every_run_records_one_heartbeat_and_an_empty_pipeline_reports_zeros()
    {
        await RunTimerAsync();
        _time.Advance(TimeSpan.FromMinutes(1));
        await RunTimerAsync();

        Assert.Equal([1.0, 1.0], Values(VroegMetrics.Heartbeat));
        Assert.All([VroegMetrics.OutboxPending, VroegMetrics.OutboxPendingAge, VroegMetrics.OutboxFailed, VroegMetrics.Quarantined, VroegMetrics.QuarantineAge, VroegMetrics.QuarantineOverdue],
            name => Assert.Equal([0.0, 0.0], Values(name)));
        Assert.All(Values(VroegMetrics.PoisonLength), v => Assert.Equal(0, v));
    }

    [Fact]
    public async Task Nothing_is_recorded_until_the_timer_runs()
    {
        using var client = _app.CreateClient(); // starts the host and its hosted services

        Assert.DoesNotContain(_app.Services.GetServices<IHostedService>(), s => s.GetType().Assembly == typeof(Azure.Telemetry.StoragePipelineProbe).Assembly);
        Assert.Empty(Values(VroegMetrics.Heartbeat));
        Assert.Empty(Values(VroegMetrics.OutboxPending));
    }

    [Fact]
    public void Every_instrument_the_app_creates_is_named_in_VroegMetrics()
    {
        var names = new List<string>();
        using var listener = new MeterListener();
        var meter = _app.Services.GetRequiredService<VroegTelemetry>().Meter;
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                names.Add(instrument.Name);
            }
        };
        listener.Start();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.Contains(name, VroegMetrics.All));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _app.Dispose();
    }

    private static QuarantinedSignal Quarantined(string receipt, string signal, DateTimeOffset at) =>
        new(receipt, signal, "huur", "address.not_found", "no such address", at, new ProtectedPayload("t1", [1, 2, 3]));

    // Storage and test clocks agree to within a minute.
    private static void AssertAbout(TimeSpan expected, double seconds) =>
        Assert.InRange(seconds, (expected - TimeSpan.FromMinutes(1)).TotalSeconds, (expected + TimeSpan.FromMinutes(1)).TotalSeconds);

    private async Task RunTimerAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        await _app.Services.GetRequiredService<LocalFunctions>()[nameof(SamplePipeline)]
            .InvokeAsync(scope.ServiceProvider, new TriggerInput(Timer: new TimerInfo()), CancellationToken.None);
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        string? queue = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "queue")
            {
                queue = tag.Value as string;
            }
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), queue));
        }
    }

    private List<double> Values(string name, string? queue = null)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Name == name && (queue is null || m.Queue == queue)).Select(m => m.Value)];
        }
    }

    private double Value(string name, string? queue = null) => Assert.Single(Values(name, queue));
}
