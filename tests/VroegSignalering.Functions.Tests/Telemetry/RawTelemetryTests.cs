using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Addresses;
using VroegSignalering.Azure.Telemetry;
using VroegSignalering.Core.Common;
using VroegSignalering.Functions.Intake;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.LocalHost;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Telemetry;

/// <summary>
/// Personal data never reaches telemetry, proven on what the app emits, not on what the safety nets leave:
/// spans are read by an activity listener registered before the app's tracer (so before the
/// <see cref="ScrubbingActivityProcessor"/> runs), logs by a provider in a host whose redactor is switched to
/// pass-through (formatted message, every state value, every scope and the exception), metrics by a meter
/// listener on the raw measurements. The run covers the happy path and the error paths: validation errors on
/// personal fields, an unroutable address, a poison message full of personal data, a stored signal that no
/// longer decrypts, and an address service (PDOK) that answers 500 or times out.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class RawTelemetryTests : IDisposable
{
    private const string Surname = "Zandbergen-Rauwdata";
    private const string Town = "Proefdorp-aan-Zee";
    private const string Street = "Rauwelaan";
    private const string Email = "q.x.rauwdata@example.nl";
    private const string Bsn = "999999990";
    private const string BadEmail = "rauwdata.fout@@example.nl";
    private static readonly DateOnly BirthDate = new(1981, 2, 13);

    // Every personal field of the synthetic signals, in every notation the app could produce or receive.
    private static readonly string[] Secrets =
    [
        Surname, "Q.X.", "van der Rauw", Street, Town, Email, BadEmail, Bsn,
        "1011AB", "1011 AB", "1011ab", "1011 ab",
        "37bis", "37 bis", "37-bis", "Rauwelaan 37",
        "0699887766", "06-99887766", "06 99887766", "+31699887766", "+31 6 99887766", "0031699887766", "699887766", "06-998877",
        "1981-02-13", "13-02-1981", "13/02/1981", "13-2-1981", "2/13/1981", "02/13/1981", "19810213", "13 februari 1981", "1981-02-31",
    ];

    private readonly RawCapture _capture = new();

    [Fact]
    public async Task No_raw_span_log_scope_or_metric_tag_holds_personal_data_on_the_happy_path_or_any_error_path()
    {
        await RunMainPathsAsync();
        await RunFailingAddressServiceAsync();

        var texts = _capture.Texts;
        Assert.True(_capture.LogCount > 20, $"the run must have logged something to search; got {_capture.LogCount}");
        Assert.True(_capture.SpanCount > 10, $"the run must have traced something to search; got {_capture.SpanCount}");
        Assert.True(_capture.MeasurementCount > 5, $"the run must have measured something to search; got {_capture.MeasurementCount}");
        Assert.Contains(texts, t => t.Contains("pdok", StringComparison.OrdinalIgnoreCase)); // the failing address service was reached
        var found = texts.SelectMany(text => Secrets.Where(secret => text.Contains(secret, StringComparison.OrdinalIgnoreCase)).Select(secret => $"'{secret}' in: {text}")).ToList();
        Assert.True(found.Count == 0, $"personal data in raw telemetry ({found.Count}):\n{string.Join('\n', found.Distinct().Take(40))}");
    }

    public void Dispose() => _capture.Dispose();

    private static JsonObject Personal(string reference, int huisnummer = 37, string postcode = "1011AB")
    {
        var signal = TestSignals.Signal(reference, "Huur", 950m, postcode: postcode, huisnummer: huisnummer, toevoeging: "bis", achternaam: Surname,
            voorvoegsel: "van der Rauw", bsn: Bsn, email: Email, geboortedatum: BirthDate);
        signal["client"]!["plaatsnaam"] = Town;
        signal["client"]!["straatnaam"] = Street;
        return signal;
    }

    private PipelineApp App(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace",
            ["Logging:LogLevel:Azure"] = "Trace",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k] = v;
        }

        return new PipelineApp(all, s =>
        {
            // The redactor passes values through: what the app hands the logger is what this test reads.
            s.AddRedaction(r => r.SetRedactor<NullRedactor>(new DataClassificationSet(VroegDataClasses.PersonalData)));
            s.AddSingleton<ILoggerProvider>(_capture);
            services?.Invoke(s);
        });
    }

    private async Task RunMainPathsAsync()
    {
        using var app = App(new Dictionary<string, string?> { ["Dispatch:SweepAfter"] = "00:00:00" });
        var valid = Personal("RAW-1");
        var unroutable = Personal("RAW-2", huisnummer: 3, postcode: TestSignals.UnroutablePostcode);
        var badEmail = Personal("RAW-3", huisnummer: 38);
        badEmail["client"]!["email"] = BadEmail;
        var badPhone = Personal("RAW-4", huisnummer: 39);
        badPhone["client"]!["telefoonnummer"] = "06-998877";
        var badBirth = Personal("RAW-5", huisnummer: 40);
        badBirth["client"]!["geboortedatum"] = "1981-02-31";
        using (var response = await app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(valid, unroutable, badEmail, badPhone, badBirth)))
        {
            Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"status {response.StatusCode}");
        }

        // A whole request refused for one bad personal value, too.
        var alone = Personal("RAW-6", huisnummer: 35);
        alone["client"]!["geboortedatum"] = "1981-02-31";
        using (var refused = await app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(alone)))
        {
            Assert.NotEqual(HttpStatusCode.Accepted, refused.StatusCode);
        }

        await app.ProcessAllAsync();

        // A stored signal that no longer decrypts: triage fails on it with an exception.
        var row = Assert.Single(await app.RowsAsync("s|"));
        string? table = null;
        foreach (var name in app.Names.AllHouseholdTables)
        {
            if (await app.TableExistsAsync(name) && (await app.EntitiesAsync(name)).Any(e => e.RowKey == row.RowKey))
            {
                table = name;
            }
        }

        Assert.NotNull(table);
        var broken = new TableEntity(row.PartitionKey, row.RowKey) { ["Personal"] = Encoding.UTF8.GetBytes("not ciphertext " + Surname) };
        await app.Storage.Tables.GetTableClient(table).UpdateEntityAsync(broken, row.ETag, TableUpdateMode.Merge);
        // The host logs what a function throws (message and stack) to its own telemetry: it must hold nothing personal either.
        var failed = await Assert.ThrowsAnyAsync<Exception>(app.TriageAsync);
        _capture.Add($"thrown by TriageCases: {failed}");

        // Restored, the household triages and dispatches, so the happy path is in the capture as well.
        var restored = new TableEntity(row.PartitionKey, row.RowKey) { ["Personal"] = row.GetBinary("Personal") };
        await app.Storage.Tables.GetTableClient(table).UpdateEntityAsync(restored, global::Azure.ETag.All, TableUpdateMode.Merge);
        await app.TriageAsync();
        await app.DispatchAllAsync();
        Assert.Single(await app.RowsAsync("t|"));

        // A poison message full of personal data: fails to decode, and with one allowed attempt goes to the poison queue.
        var intake = app.Storage.RawQueues.GetQueueClient(app.Names.SignalsIntakeQueue);
        await intake.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $$$"""{"receiptId":"r-{{{Surname}}}","client":{"postcode":"1011 AB","email":"{{{Email}}}","telefoonnummer":"+31699887766","geboortedatum":"13-02-1981","bsn":"{{{Bsn}}}"}}""")));
        var processSignals = app.Functions[nameof(ProcessSignals)];
        var listener = new QueueTriggerListener(
            processSignals, intake, app.Storage.RawQueues.GetQueueClient(app.Names.SignalsIntakeQueue + "-poison"),
            new QueueTriggerSettings(16, 8, 1, TimeSpan.Zero, TimeSpan.FromSeconds(2), "base64"),
            app.Services.GetRequiredService<IServiceScopeFactory>(), new FakeTimeProvider(), new LocalHostOptions(),
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VroegSignalering.LocalHost.QueueTriggerListener"));
        Assert.Equal(1, await listener.PollOnceAsync(CancellationToken.None));
        Assert.Single((await app.Storage.RawQueues.GetQueueClient(app.Names.SignalsIntakeQueue + "-poison").PeekMessagesAsync()).Value);

        await app.Services.GetRequiredService<PipelineSampler>().SampleAsync(CancellationToken.None);
    }

    private async Task RunFailingAddressServiceAsync()
    {
        using var app = App(
            new Dictionary<string, string?>
            {
                ["AddressRegistry:Source"] = "Pdok",
                ["AddressRegistry:PdokRetryDelay"] = "00:00:00.001",
                ["AddressRegistry:PdokTimeout"] = "00:00:05",
            },
            s => s.AddHttpClient(PdokAddressRegistry.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new FailingPdok()));
        using var response = await app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(Personal("RAW-P1"), Personal("RAW-P2", huisnummer: 36, postcode: "1011AC")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await app.ProcessAllAsync();
        foreach (var table in app.Names.AllHouseholdTables)
        {
            Assert.False(await app.TableExistsAsync(table), $"{table}: nothing may be stored while the address service fails");
        }
    }

    /// <summary>PDOK answering 500 for one address and never answering (a timeout) for the other.</summary>
    private sealed class FailingPdok : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.RequestUri!.Query.Contains("1011AC", StringComparison.Ordinal)
                ? Task.FromException<HttpResponseMessage>(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException()))
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("boom") });
    }

    /// <summary>Spans, logs (with scopes) and measurements as the app emits them, before any processor or redactor.</summary>
    private sealed class RawCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _texts = new();
        private readonly ActivityListener _spans;
        private readonly MeterListener _meters = new();
        private int _logs;
        private int _spanCount;
        private int _measurements;

        public RawCapture()
        {
            // Registered before any app builds its tracer provider, so this listener sees a finished span before the SDK's scrubber does.
            _spans = new ActivityListener
            {
                ShouldListenTo = _ => true,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    Interlocked.Increment(ref _spanCount);
                    _texts.Enqueue($"span {a.OperationName} {a.DisplayName} {a.StatusDescription} "
                        + string.Join(' ', a.TagObjects.Select(t => $"{t.Key}={t.Value}"))
                        + string.Join(' ', a.Events.Select(e => e.Name + " " + string.Join(',', e.Tags.Select(t => $"{t.Key}={t.Value}"))))
                        + string.Join(' ', a.Baggage.Select(b => $"{b.Key}={b.Value}")));
                },
            };
            ActivitySource.AddActivityListener(_spans);
            _meters.InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument);
            _meters.SetMeasurementEventCallback<long>((i, _, tags, _) => Measure(i, tags));
            _meters.SetMeasurementEventCallback<int>((i, _, tags, _) => Measure(i, tags));
            _meters.SetMeasurementEventCallback<double>((i, _, tags, _) => Measure(i, tags));
            _meters.Start();
        }

        public IReadOnlyList<string> Texts => [.. _texts];

        public int LogCount => _logs;

        public void Add(string text) => _texts.Enqueue(text);

        public int SpanCount => _spanCount;

        public int MeasurementCount => _measurements;

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

        public void Dispose()
        {
            _spans.Dispose();
            _meters.Dispose();
        }

        private static string Values(object? state) =>
            state is IEnumerable<KeyValuePair<string, object?>> kvs ? string.Join(' ', kvs.Select(kv => $"{kv.Key}={kv.Value}")) : $"{state}";

        private void Measure(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Interlocked.Increment(ref _measurements);
            var text = new StringBuilder($"metric {instrument.Meter.Name}/{instrument.Name}");
            foreach (var tag in tags)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }

            _texts.Enqueue(text.ToString());
        }

        private sealed class Logger(string category, RawCapture capture) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                capture._texts.Enqueue($"scope {category} {state} {Values(state)}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                Interlocked.Increment(ref capture._logs);
                capture._texts.Enqueue($"log {category} {eventId} {formatter(state, exception)} {Values(state)} {exception}");
            }
        }
    }
}
