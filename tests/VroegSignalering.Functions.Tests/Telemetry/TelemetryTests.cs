using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using VroegSignalering.Azure.Telemetry;
using VroegSignalering.Core.Common;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Telemetry;

/// <summary>
/// One end-to-end run with every log, span and metric captured in memory: the trace follows a signal
/// from HTTP to dispatch, the pipeline metrics are emitted, and no synthetic personal value appears anywhere.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests : IDisposable
{
    private const string Bsn = "999999990";
    private static readonly DateOnly BirthDate = new(1981, 2, 13);
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly CapturingLoggerProvider _logs = new();
    private readonly PipelineApp _app;

    public TelemetryTests()
    {
        _app = new PipelineApp(
            new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace",
                ["Logging:LogLevel:Azure"] = "Trace",
            },
            services: s =>
            {
                s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_spans));
                s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(_metrics));
                s.AddSingleton<ILoggerProvider>(_logs);
            });
    }

    [Fact]
    public async Task One_trace_spans_ingest_processing_triage_and_dispatch_and_the_pipeline_metrics_are_emitted()
    {
        var traceId = await RunOneSignalAsync();

        var names = _spans.Where(s => s.TraceId == traceId).Select(s => s.OperationName).ToHashSet();
        Assert.Contains("intake.submit", names);
        Assert.Contains("signals.process", names);
        Assert.Contains("triage.task", names);
        Assert.Contains("dispatch.publish", names);

        await _app.Services.GetRequiredService<PipelineSampler>().SampleAsync(CancellationToken.None);
        _app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        var emitted = _metrics.Select(m => m.Name).ToHashSet();
        foreach (var name in new[]
                 {
                     VroegMetrics.SignalsAccepted, VroegMetrics.SignalsRejected, VroegMetrics.SignalsQuarantined, VroegMetrics.CasesOpened,
                     VroegMetrics.TasksCreated, VroegMetrics.SignalToTask, VroegMetrics.OutboxPending, VroegMetrics.OutboxFailed,
                     VroegMetrics.QueueAge, VroegMetrics.PoisonLength, VroegMetrics.Heartbeat, VroegMetrics.QuarantineAge,
                 })
        {
            Assert.Contains(name, emitted);
        }
    }

    [Fact]
    public async Task No_log_line_span_attribute_or_metric_tag_of_an_end_to_end_run_holds_personal_data()
    {
        await RunOneSignalAsync();
        await _app.Services.GetRequiredService<PipelineSampler>().SampleAsync(CancellationToken.None);
        _app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        _app.Services.GetRequiredService<TracerProvider>().ForceFlush();

        var texts = new List<string>();
        texts.AddRange(_logs.Lines);
        texts.AddRange(_spans.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(s.DisplayName).Append(s.StatusDescription ?? string.Empty)));
        texts.AddRange(_spans.SelectMany(s => s.Events.Select(e => e.Name + string.Join(',', e.Tags.Select(t => t.Value)))));
        foreach (var metric in _metrics)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    texts.Add($"{metric.Name}:{tag.Key}={tag.Value}");
                }
            }
        }

        Assert.True(_logs.Lines.Count > 20, $"the run must have logged something to search; got {_logs.Lines.Count}");
        // Also in the forms the pipeline normalises them to: international phone, spaced postcode, both date notations.
        var secrets = TestSignals.DefaultPersonalValues.Concat(
            [Bsn, "Q.X.", "1011AB", "1011 AB", "9999ZZ", "+31699887766", "699887766", "1981-02-13", "13-02-1981"]).ToList();
        foreach (var text in texts)
        {
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"personal value '{secret}' found in telemetry: {text}");
            }
        }
    }

    [Theory]
    [InlineData("mail j.jansen@example.nl now", "mail [redacted] now")]
    [InlineData("postcode 1234 AB", "postcode [redacted]")]
    [InlineData("call 06-12345678", "call [redacted]")]
    [InlineData("+31612345678", "[redacted]")]
    [InlineData("bsn 999999990", "bsn [redacted]")]
    [InlineData("s-xzqvdoqksvr5pan3uiaqr54tsi and t-c1a8111270ba-1-r1", "s-xzqvdoqksvr5pan3uiaqr54tsi and t-c1a8111270ba-1-r1")]
    public void The_scrubber_redacts_personal_patterns_and_leaves_ids_alone(string input, string expected)
    {
        Assert.Equal(expected, PersonalDataScrubber.Scrub(input));
    }

    public void Dispose()
    {
        _app.Dispose();
        _logs.Dispose();
    }

    private async Task<ActivityTraceId> RunOneSignalAsync()
    {
        var valid = TestSignals.Signal("TEL-1", "Huur", 950m, huisnummer: 37, bsn: Bsn, crisis: false, geboortedatum: BirthDate);
        var unroutable = TestSignals.Signal("TEL-2", "Huur", 200m, postcode: TestSignals.UnroutablePostcode, huisnummer: 3);
        var invalid = TestSignals.Signal("TEL-3", "Huur", -1m, huisnummer: 38);
        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(valid, unroutable, invalid));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var receiptId = (string?)System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["receiptId"];
        await _app.RunPipelineAsync();
        _app.Services.GetRequiredService<TracerProvider>().ForceFlush();

        // Activity listeners are process-wide: other tests' spans arrive too, so pick ours by receipt.
        return _spans.Single(s => s.OperationName == "intake.submit" && (s.GetTagItem("vroeg.receipt") as string) == receiptId).TraceId;
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => _lines.ToList();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> kvs ? string.Join(' ', kvs.Select(kv => $"{kv.Key}={kv.Value}")) : string.Empty;
                lines.Enqueue($"{category} {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}

/// <summary>
/// Activity and meter listeners are process-wide: the telemetry tests run alone, so that no other
/// test's spans are exported into (or mutate) their in-memory lists while they read them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
