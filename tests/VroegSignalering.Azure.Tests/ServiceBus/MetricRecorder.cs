using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Azure.Tests.ServiceBus;

// Records the long counters of the "VroegSignalering" meter that one IMeterFactory created, so parallel
// tests don't see each other's measurements.
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();

    public MetricRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == VroegTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            Measurements.Enqueue(new Measurement(instrument.Meter.Name, instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _listener.Start();
    }

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    public long Sum(string instrument, string? status = null, string? reasonCode = null) => Measurements
        .Where(m => m.Instrument == instrument)
        .Where(m => status is null || Equals(m.Tags.GetValueOrDefault("status"), status))
        .Where(m => reasonCode is null || Equals(m.Tags.GetValueOrDefault("reason_code"), reasonCode))
        .Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    internal sealed record Measurement(string Meter, string Instrument, long Value, IReadOnlyDictionary<string, object?> Tags);
}
