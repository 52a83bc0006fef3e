using System.Diagnostics.Metrics;
using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Escalation;
using VroegSignalering.Core.Households;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Functions.Triage;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>
/// EscalateOverdue on real Azurite with a fake clock (docs/triage.md, chapter 14): a Spoed task made on Goede Vrijdag 2027
/// (26 March; Monday 29 March is tweede Paasdag) is due Thursday 1 April and escalates from Friday 2 April 00:00 in
/// Amsterdam, once per overdue period, dispatched once; a case with a contact attempt never escalates.
/// </summary>
public sealed class EscalationIntegrationTests : IDisposable
{
    private const string Gemeente = "0363";
    private static readonly DateOnly GoodFriday = new(2027, 3, 26);

    // Amsterdam is on summer time from 28 March 2027: local midnight is 22:00 UTC the day before.
    private static readonly DateTimeOffset LastSecondOfDueDate = new(2027, 4, 1, 21, 59, 59, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 3, 26, 9, 0, 0, TimeSpan.Zero));
    private readonly CrashingIndex _index = new();
    private readonly PipelineApp _app;
    private readonly MeterListener _listener = new();
    private readonly List<long> _overdueGauge = [];

    public EscalationIntegrationTests()
    {
        _app = new PipelineApp(
            new Dictionary<string, string?> { ["Dispatch:SweepAfter"] = "00:00:00" },
            services: s =>
            {
                s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock));
                s.RemoveAll<IOutboxIndex>();
                s.AddSingleton<IOutboxIndex>(sp => _index.Over(sp.GetRequiredService<OutboxIndexTable>()));
            });
        var meter = _app.Services.GetRequiredService<VroegTelemetry>().Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Other tests run apps in parallel on meters of the same name: this app's gauge only.
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == VroegMetrics.EscalationOverdue)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            lock (_overdueGauge)
            {
                _overdueGauge.Add(value);
            }
        });
        _listener.Start();
    }

    [Fact]
    public async Task A_spoed_task_from_good_friday_escalates_once_from_the_first_second_after_its_third_working_day_and_is_dispatched_once()
    {
        var first = await SpoedTaskAsync("ESC-1", huisnummer: 11);
        var task = await RowAsync("t|" + first);
        Assert.Equal(("Spoed", "2027-04-01"), (task.GetString("Priority"), task.GetString("DueDate")));
        Assert.Equal("2027-04-01", (await CaseRowAsync()).GetString("DueDate"));

        // The day it is made (as in the ./run.sh month), through the weekend, Easter Monday and up to the last second: nothing.
        await EscalateAsync();
        _clock.SetUtcNow(LastSecondOfDueDate);
        await EscalateAsync();
        Assert.Single(await _app.RowsAsync("t|"));

        _clock.Advance(TimeSpan.FromSeconds(1));
        await EscalateAsync();
        await _app.DispatchAllAsync();

        var second = CaseComposer.TaskId(OutcomeCase(first), 2);
        var escalated = await RowAsync("t|" + second);
        Assert.Equal(2, (await _app.RowsAsync("t|")).Count);
        var reasons = System.Text.Json.JsonSerializer.Deserialize<string[][]>(escalated.GetString("Reasons"))!;
        Assert.Equal(["ESCALATED_OVERDUE", "Geen contactpoging vóór de uiterste datum 1-4-2027: opnieuw uitgezet (escalatie)", "0"], reasons[0]);
        Assert.Equal(System.Text.Json.JsonSerializer.Deserialize<string[][]>(task.GetString("Reasons"))!, reasons[1..]);
        Assert.Equal((task.GetString("Priority"), task.GetInt32("Score"), task.GetString("Team"), task.GetString("SignalIds")), (escalated.GetString("Priority"), escalated.GetInt32("Score"), escalated.GetString("Team"), escalated.GetString("SignalIds")));
        Assert.Equal("2027-04-07", escalated.GetString("DueDate"));
        var @case = await CaseRowAsync();
        Assert.Equal((2, second, "2027-04-07", "TaskDispatched"), (@case.GetInt32("Revision"), @case.GetString("LastTaskId"), @case.GetString("DueDate"), @case.GetString("Status")));
        Assert.Equal(new Dictionary<string, int> { [first] = 1, [second] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
        Assert.Equal([0L, 0L, 1L], _overdueGauge); // the day it was made, the last second of the due date, the run that escalated

        // A rerun, the sweeper and the triage run that takes the escalation's mark send nothing new.
        await EscalateAsync();
        await _app.TriageAsync();
        await _app.DispatchAllAsync();
        await _app.SweepAsync();
        Assert.Equal(2, (await _app.RowsAsync("t|")).Count);
        Assert.Equal(new Dictionary<string, int> { [first] = 1, [second] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));

        // The next overdue period starts at the escalation's own due date, Wednesday 7 April.
        _clock.SetUtcNow(new DateTimeOffset(2027, 4, 7, 21, 59, 59, TimeSpan.Zero));
        await EscalateAsync();
        Assert.Equal(2, (await _app.RowsAsync("t|")).Count);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await EscalateAsync();
        var third = await RowAsync("t|" + CaseComposer.TaskId(OutcomeCase(first), 3));
        Assert.Equal("2027-04-13", third.GetString("DueDate"));
    }

    [Fact]
    public async Task Four_escalation_runs_at_once_make_one_revision_for_the_overdue_period()
    {
        var first = await SpoedTaskAsync("ESC-PAR", huisnummer: 12);
        _clock.SetUtcNow(LastSecondOfDueDate.AddSeconds(1));
        var escalation = _app.Services.GetRequiredService<OverdueEscalation>();

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => escalation.RunAsync(CancellationToken.None))));
        await _app.DispatchAllAsync();

        Assert.Equal(1, runs.Sum(r => r.Escalated));
        var revisions = (await _app.RowsAsync("t|")).Select(t => t.GetInt32("Revision") ?? 0).Order().ToArray();
        Assert.Equal([1, 2], revisions);
        Assert.Equal(new Dictionary<string, int> { [first] = 1, [CaseComposer.TaskId(OutcomeCase(first), 2)] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
    }

    [Fact]
    public async Task A_case_whose_team_recorded_a_contact_attempt_is_not_escalated()
    {
        var first = await SpoedTaskAsync("ESC-ATT", huisnummer: 13);
        _clock.SetUtcNow(new DateTimeOffset(2027, 3, 30, 8, 0, 0, TimeSpan.Zero));
        using (var attempt = await OutcomeTestSupportSend(first, """{ "id": "p-1", "soort": "Telefoon", "bereikt": false, "datum": "2027-03-30", "dagdeel": "Ochtend" }"""))
        {
            Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
        }

        _clock.SetUtcNow(new DateTimeOffset(2027, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var run = await _app.Services.GetRequiredService<OverdueEscalation>().RunAsync(CancellationToken.None);

        Assert.Equal(new EscalationSummary(0, 0), run);
        Assert.Single(await _app.RowsAsync("t|"));
        Assert.Equal("ContactAttempted", (await CaseRowAsync()).GetString("Status"));
    }

    [Fact]
    public async Task A_crash_after_the_commit_and_before_the_pointer_is_handed_on_by_the_next_triage_run_and_sent_once()
    {
        var first = await SpoedTaskAsync("ESC-CRASH", huisnummer: 14);
        _clock.SetUtcNow(LastSecondOfDueDate.AddSeconds(1));
        var second = CaseComposer.TaskId(OutcomeCase(first), 2);

        _index.Crash = true;
        await Assert.ThrowsAsync<IOException>(() => _app.Services.GetRequiredService<OverdueEscalation>().RunAsync(CancellationToken.None));
        _index.Crash = false;
        Assert.Equal("Pending", (await RowAsync("o|" + second)).GetString("Status"));

        // The rerun finds the committed revision not overdue; the mark left before the commit brings the row to triage.
        await EscalateAsync();
        Assert.Equal(2, (await _app.RowsAsync("t|")).Count);
        await _app.TriageAsync();
        await _app.DispatchAllAsync();

        Assert.Equal("Dispatched", (await RowAsync("o|" + second)).GetString("Status"));
        Assert.Equal(new Dictionary<string, int> { [first] = 1, [second] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _app.Dispose();
    }

    private static string OutcomeCase(string taskId) => "c-" + taskId[2..taskId.LastIndexOf("-r", StringComparison.Ordinal)];

    private Task EscalateAsync() => _app.FireTimerAsync(nameof(EscalateOverdue));

    // A crisis signal of 24 March (arrears from 100 days before Goede Vrijdag), posted and dispatched on Goede Vrijdag.
    private async Task<string> SpoedTaskAsync(string reference, int huisnummer)
    {
        var today = TestSignals.Today.DayNumber;
        var signal = TestSignals.Signal(reference, "Huur", 1200m, huisnummer: huisnummer, crisis: true,
            signaalDaysAgo: today - GoodFriday.AddDays(-2).DayNumber, ontstaanDaysAgo: today - GoodFriday.AddDays(-100).DayNumber);
        using (var posted = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(signal)))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        await _app.RunPipelineAsync();
        var task = Assert.Single(await _app.RowsAsync("t|"));
        Assert.Equal(new Dictionary<string, int> { [task.RowKey[2..]] = 1 }, await RawDeliveries.CountAsync(_app, Gemeente));
        return task.RowKey[2..];
    }

    private async Task<HttpResponseMessage> OutcomeTestSupportSend(string taskId, string json) =>
        await Outcomes.OutcomeTestSupport.SendAsync(_app, "POST", $"/api/v1/tasks/{taskId}/contactpogingen", TestEnvironment.TeamAmsterdamKey, json: json);

    private async Task<TableEntity> RowAsync(string rowKey) => Assert.Single(await _app.RowsAsync(rowKey), e => e.RowKey == rowKey);

    private async Task<TableEntity> CaseRowAsync() => Assert.Single(await _app.RowsAsync("c|"));

    /// <summary>The outbox index, which fails (as a crash would) while <see cref="Crash"/> is set.</summary>
    private sealed class CrashingIndex
    {
        public bool Crash { get; set; }

        public IOutboxIndex Over(IOutboxIndex inner) => new Index(this, inner);

        private sealed class Index(CrashingIndex owner, IOutboxIndex inner) : IOutboxIndex
        {
            public Task AddAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken) =>
                owner.Crash ? throw new IOException("crash before the pointer") : inner.AddAsync(pointer, state, cancellationToken);

            public Task AddManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken) =>
                owner.Crash ? throw new IOException("crash before the pointer") : inner.AddManyAsync(pointers, state, cancellationToken);

            public Task RemoveAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken) => inner.RemoveAsync(pointer, state, cancellationToken);

            public Task RemoveManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken) => inner.RemoveManyAsync(pointers, state, cancellationToken);

            public IAsyncEnumerable<OutboxPointer> ListAsync(OutboxIndexState state, DateTimeOffset createdBefore, CancellationToken cancellationToken) => inner.ListAsync(state, createdBefore, cancellationToken);
        }
    }
}
