using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Benchmarks.EndToEnd;

/// <summary>
/// Watches the hosted app from inside the process through the meters it already publishes, so timing and
/// progress cost no extra storage requests: the app's own counters (accepted at intake, stored in a
/// household partition, quarantined), ASP.NET Core's active-request counter (the moment the first POST
/// arrives) and HttpClient's request histogram (requests to each storage endpoint, by port).
/// </summary>
internal sealed class PipelineProbe : IDisposable
{
    private const string AcceptedInstrument = "vroeg.intake.signals.accepted";
    private const string StoredInstrument = "vroeg.processing.signals.stored";
    private const string QuarantinedInstrument = "vroeg.intake.signals.quarantined";
    private const string RejectedInstrument = "vroeg.intake.signals.rejected";
    private const string DuplicateInstrument = "vroeg.intake.signals.duplicate";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<int, long> _requestsByPort = new();
    private long _accepted;
    private long _stored;
    private long _quarantined;
    private long _rejected;
    private long _duplicates;
    private long _firstPostAt;
    private long _lastProgressAt;

    public PipelineProbe()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            var wanted = instrument.Meter.Name switch
            {
                VroegTelemetry.Name => instrument.Name is AcceptedInstrument or StoredInstrument or QuarantinedInstrument or RejectedInstrument or DuplicateInstrument,
                "Microsoft.AspNetCore.Hosting" => instrument.Name == "http.server.active_requests",
                "System.Net.Http" => instrument.Name == "http.client.request.duration",
                _ => false,
            };
            if (wanted)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Stored => Interlocked.Read(ref _stored);

    public long Quarantined => Interlocked.Read(ref _quarantined);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Every accepted signal is in its household partition or in quarantine.</summary>
    public bool AllAcceptedSettled => Stored + Quarantined >= Accepted;

    /// <summary>Stopwatch timestamp of the first POST the app received since <see cref="Reset"/>; 0 before.</summary>
    public long FirstPostAt => Interlocked.Read(ref _firstPostAt);

    /// <summary>Stopwatch timestamp of the last signal stored or quarantined.</summary>
    public long LastProgressAt => Interlocked.Read(ref _lastProgressAt);

    public long RequestsTo(int port) => _requestsByPort.GetValueOrDefault(port);

    /// <summary>Forgets the warm-up: counts and timestamps start again from zero.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _accepted, 0);
        Interlocked.Exchange(ref _stored, 0);
        Interlocked.Exchange(ref _quarantined, 0);
        Interlocked.Exchange(ref _rejected, 0);
        Interlocked.Exchange(ref _duplicates, 0);
        Interlocked.Exchange(ref _firstPostAt, 0);
        Interlocked.Exchange(ref _lastProgressAt, 0);
        _requestsByPort.Clear();
    }

    public void Dispose() => _listener.Dispose();

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case AcceptedInstrument:
                Interlocked.Add(ref _accepted, value);
                break;
            case StoredInstrument:
                Interlocked.Add(ref _stored, value);
                Interlocked.Exchange(ref _lastProgressAt, Stopwatch.GetTimestamp());
                break;
            case QuarantinedInstrument:
                Interlocked.Add(ref _quarantined, value);
                Interlocked.Exchange(ref _lastProgressAt, Stopwatch.GetTimestamp());
                break;
            case RejectedInstrument:
                Interlocked.Add(ref _rejected, value);
                break;
            case DuplicateInstrument:
                Interlocked.Add(ref _duplicates, value);
                break;
            case "http.server.active_requests" when value > 0 && Tag(tags, "http.request.method") is "POST":
                Interlocked.CompareExchange(ref _firstPostAt, Stopwatch.GetTimestamp(), 0);
                break;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (Tag(tags, "server.port") is int port)
        {
            _requestsByPort.AddOrUpdate(port, 1, (_, n) => n + 1);
        }
    }

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }
}
