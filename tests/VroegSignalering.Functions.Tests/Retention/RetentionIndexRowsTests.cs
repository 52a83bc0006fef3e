using System.Net;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Retention;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Households;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Retention;

/// <summary>
/// The rows outside a household's partition that point into it (issue 12): the outbox index (pending and failed pointers)
/// and the change feed (marks triage reads). The purge deletes the pointers to the outbox rows it deletes, in the same
/// crash-safe step; a change mark for a purged household is read by triage, creates nothing and is acknowledged.
/// </summary>
public sealed class RetentionIndexRowsTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly StorageFaults _faults;
    private readonly PipelineApp _app;

    public RetentionIndexRowsTests()
    {
        // Every delete in the outbox index fails while the faults are enabled: a purge that stops at the pointers.
        _faults = new StorageFaults(seed: 1, rate: 1, outlastRate: 1, matches: r => r.Method == RequestMethod.Delete && r.Uri.Path.Contains("outboxindex", StringComparison.Ordinal), only: StorageFault.ServerBusy)
        {
            Enabled = false,
        };
        _app = new PipelineApp(services: s =>
        {
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock));
            s.AddSingleton(_faults.Clients(Azurite.ConnectionString, quickRetries: true));
        });
    }

    private RetentionPurger Purger => _app.Services.GetRequiredService<RetentionPurger>();

    private OutboxIndexTable Index => _app.Services.GetRequiredService<OutboxIndexTable>();

    [Fact]
    public async Task The_purge_deletes_the_pending_and_failed_pointers_to_the_outbox_rows_it_deletes_and_no_others()
    {
        var (closed, open) = await TwoCasesAsync();
        await PointAsync(closed, OutboxIndexState.Failed);
        await PointAsync(closed, OutboxIndexState.Pending);
        await PointAsync(open, OutboxIndexState.Failed);
        _clock.Advance(TimeSpan.FromDays(184));

        await Purger.RunAsync(dryRun: false, null, CancellationToken.None);

        Assert.Empty(await PointersAsync(closed));
        Assert.Equal(["failed"], await PointersAsync(open));
        Assert.DoesNotContain(await _app.HouseholdEntitiesAsync(), e => e.RowKey == "o|" + closed);
    }

    [Fact]
    public async Task A_purge_that_stops_at_the_pointers_has_deleted_no_row_yet_and_the_next_run_deletes_both()
    {
        var (closed, _) = await TwoCasesAsync();
        await PointAsync(closed, OutboxIndexState.Failed);
        _clock.Advance(TimeSpan.FromDays(184));

        _faults.Enabled = true;
        await Assert.ThrowsAnyAsync<Exception>(() => Purger.RunAsync(dryRun: false, null, CancellationToken.None));
        _faults.Enabled = false;
        var halfWay = await _app.HouseholdEntitiesAsync();
        Assert.Contains(halfWay, e => e.RowKey == "r|purge");
        Assert.Contains(halfWay, e => e.RowKey == "o|" + closed);

        var rerun = await Purger.RunAsync(dryRun: false, null, CancellationToken.None);

        Assert.Equal(1, rerun.Resumed);
        Assert.Empty(await PointersAsync(closed));
        Assert.DoesNotContain(await _app.HouseholdEntitiesAsync(), e => e.RowKey == "r|purge" || e.RowKey == "o|" + closed);
    }

    [Fact]
    public async Task A_change_mark_for_a_purged_household_is_read_by_triage_creates_nothing_and_is_acknowledged()
    {
        var (closed, _) = await TwoCasesAsync();
        var household = (await _app.HouseholdEntitiesAsync()).Single(e => e.RowKey == "t|" + closed).PartitionKey;
        _clock.Advance(TimeSpan.FromDays(184));
        await Purger.RunAsync(dryRun: false, null, CancellationToken.None);
        Assert.DoesNotContain(await _app.HouseholdEntitiesAsync(), e => e.PartitionKey == household);
        var pointersBefore = (await _app.EntitiesAsync(_app.Names.OutboxIndex)).Count;

        await _app.Services.GetRequiredService<ChangeFeedTable>().MarkChangedAsync([new HouseholdChange(household, "0363", _clock.GetUtcNow())], CancellationToken.None);
        Assert.NotEmpty(await _app.EntitiesAsync(_app.Names.Changes));
        await _app.TriageAsync();

        Assert.Empty(await _app.EntitiesAsync(_app.Names.Changes));
        Assert.DoesNotContain(await _app.HouseholdEntitiesAsync(), e => e.PartitionKey == household);
        Assert.Equal(pointersBefore, (await _app.EntitiesAsync(_app.Names.OutboxIndex)).Count);
    }

    public void Dispose() => _app.Dispose();

    // A pointer to the task's outbox row, as dispatch writes it: a failed one stays until an operator re-drives it.
    private async Task PointAsync(string task, OutboxIndexState state)
    {
        var row = (await _app.HouseholdEntitiesAsync()).Single(e => e.RowKey == "o|" + task);
        var pointer = new OutboxPointer(row.PartitionKey, task, row.GetString("Gemeente"), row.GetDateTimeOffset("CreatedAt") ?? throw new InvalidOperationException("an outbox row without CreatedAt"));
        await Index.AddAsync(pointer, state, CancellationToken.None);
    }

    // The states of the index rows that point at the task ("pending", "failed").
    private async Task<List<string>> PointersAsync(string task) =>
        (await _app.EntitiesAsync(_app.Names.OutboxIndex))
            .Where(e => e.GetString("TaskId") == task)
            .Select(e => e.PartitionKey[..e.PartitionKey.IndexOf('-', StringComparison.Ordinal)])
            .Order(StringComparer.Ordinal)
            .ToList();

    // Two households in 0363: one whose case is closed without help (an unanswered phone call), one still open.
    private async Task<(string Closed, string Open)> TwoCasesAsync()
    {
        var closed = await DispatchedTaskAsync(_app, "RET-IDX-CLOSED");
        var open = await DispatchedTaskAsync(_app, "RET-IDX-OPEN", huisnummer: 9);
        var today = VroegSignalering.Core.Common.DutchCalendar.LocalDate(_clock.GetUtcNow()).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        using (var attempt = await SendAsync(_app, "POST", $"/api/v1/tasks/{closed}/contactpogingen", TestEnvironment.TeamAmsterdamKey, json: Attempt("p-1", datum: today)))
        {
            Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
        }

        using (var close = await SendAsync(_app, "POST", $"/api/v1/tasks/{closed}/afsluiting", TestEnvironment.TeamAmsterdamKey, json: """{"resultaat":"Definitief geen contact kunnen krijgen"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        return (closed, open);
    }
}
