using System.Globalization;
using System.Net;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Reporting;
using VroegSignalering.Azure.Retention;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Core.Retention;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Retention;

/// <summary>
/// The retention purge on real Azurite, through the pipeline and the outcome API: a case closed without help, another
/// still open; the clock moves past the term (FakeTimeProvider) and the purge runs.
/// </summary>
public sealed class RetentionPurgeTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly StorageFaults _faults;
    private readonly PipelineApp _app;
    private int _deletes;

    public RetentionPurgeTests()
    {
        // Household-row deletes fail from the third on while the faults are enabled: a purge that stops half way.
        _faults = new StorageFaults(seed: 1, rate: 1, outlastRate: 1, matches: r => r.Method == RequestMethod.Delete && r.Uri.Path.Contains("households", StringComparison.Ordinal)
            && Interlocked.Increment(ref _deletes) >= 3, only: StorageFault.ServerBusy) { Enabled = false };
        _app = new PipelineApp(services: s =>
        {
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock));
            s.AddSingleton(_faults.Clients(Azurite.ConnectionString, quickRetries: true));
        });
    }

    private RetentionPurger Purger => _app.Services.GetRequiredService<RetentionPurger>();

    [Fact]
    public async Task A_purge_deletes_the_case_closed_without_help_and_leaves_the_ddas_and_report_counts_of_the_closed_period_unchanged()
    {
        var (closedTask, openTask) = await TwoCasesAsync();
        _clock.Advance(TimeSpan.FromDays(184));
        var (ddas, report) = await CountsAsync();

        var summary = await Purger.RunAsync(dryRun: false, null, CancellationToken.None);

        Assert.Equal(1, summary.ByKind[nameof(RetentionKind.ClosedCaseWithoutHelp)]["6-12 months"]);
        Assert.Equal(1, summary.ByKind[nameof(RetentionKind.OutboxMessage)]["6-12 months"]);
        var rows = await _app.HouseholdEntitiesAsync();
        Assert.DoesNotContain(rows, e => e.RowKey == "t|" + closedTask || e.RowKey == "c|" + CaseIdOf(closedTask));
        Assert.Contains(rows, e => e.RowKey == "c|" + CaseIdOf(openTask));
        Assert.Empty(Assert.Single(rows, e => e.RowKey == "o|" + openTask).GetBinary("Message") ?? []);
        Assert.Equal(ddas, (await CountsAsync()).Ddas);
        Assert.Equal(report, (await CountsAsync()).Report);
    }

    [Fact]
    public async Task What_the_purge_keeps_holds_only_counts_under_codes_and_days_and_no_key_id_or_reference_of_the_household()
    {
        var (closedTask, _) = await TwoCasesAsync();
        var household = (await _app.HouseholdEntitiesAsync()).Single(e => e.RowKey == "t|" + closedTask).PartitionKey;
        var signal = (await _app.HouseholdEntitiesAsync()).First(e => e.PartitionKey == household && e.RowKey.StartsWith("s|", StringComparison.Ordinal));
        _clock.Advance(TimeSpan.FromDays(184));

        await Purger.RunAsync(dryRun: false, null, CancellationToken.None);

        var kept = await _app.EntitiesAsync(_app.Names.Retained);
        var text = string.Join("\n", kept.SelectMany(e => e.Keys.Select(k => k + "=" + e[k])));
        Assert.NotEmpty(kept);
        foreach (var secret in new[] { household, household[..20], signal.RowKey[2..], signal.GetString("Referentie"), CaseIdOf(closedTask), closedTask })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.All((await _app.Services.GetRequiredService<RetainedAggregateTable>().ReadAsync(CancellationToken.None)).Counts.Keys, key => Assert.True(RetainedCounts.KeyIsNonPersonal(key), key));
        Assert.DoesNotContain(await _app.HouseholdEntitiesAsync(), e => e.PartitionKey == household);
    }

    [Fact]
    public async Task A_dry_run_lists_what_would_go_by_kind_and_age_and_changes_nothing()
    {
        await TwoCasesAsync();
        _clock.Advance(TimeSpan.FromDays(184));
        var before = await SnapshotAsync();

        // Through the operator endpoint, so the app's clock (moved on) decides what is due.
        var (rc, output, error) = await _app.RunCliAsync("retention", "run", "--dry-run", "--api", "http://localhost", "--operator-key", TestEnvironment.OperatorKey);
        var summary = await Purger.RunAsync(dryRun: true, null, CancellationToken.None);

        Assert.True(rc == 0, error);
        Assert.Equal(before, await SnapshotAsync());
        Assert.False(await _app.TableExistsAsync(_app.Names.Retained));
        Assert.Equal(2, summary.Total);
        Assert.Contains("ClosedCaseWithoutHelp: 1 6-12 months", output, StringComparison.Ordinal);
        Assert.Contains("dry run: 2 record(s) past their term would be deleted; nothing changed", output, StringComparison.Ordinal);
        var rows = await _app.HouseholdEntitiesAsync();
        Assert.All(rows.Where(e => e.RowKey.StartsWith("s|", StringComparison.Ordinal)), s =>
        {
            Assert.DoesNotContain(s.RowKey[2..], output, StringComparison.Ordinal);
            Assert.DoesNotContain(s.GetString("Referentie"), output, StringComparison.Ordinal);
            Assert.DoesNotContain(s.PartitionKey[..12], output, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_purge_that_stops_half_way_is_finished_by_the_next_run_without_losing_or_double_counting_anything()
    {
        var (closedTask, _) = await TwoCasesAsync();
        _clock.Advance(TimeSpan.FromDays(184));
        var (ddas, report) = await CountsAsync();

        Interlocked.Exchange(ref _deletes, 0);
        _faults.Enabled = true;
        await Assert.ThrowsAnyAsync<Exception>(() => Purger.RunAsync(dryRun: false, null, CancellationToken.None));
        _faults.Enabled = false;
        Assert.Contains(await _app.HouseholdEntitiesAsync(), e => e.RowKey == "r|purge");

        var rerun = await Purger.RunAsync(dryRun: false, null, CancellationToken.None);
        var again = await Purger.RunAsync(dryRun: false, null, CancellationToken.None);

        Assert.Equal(1, rerun.Resumed);
        Assert.Equal(0, again.Total + again.Resumed);
        Assert.DoesNotContain(await _app.HouseholdEntitiesAsync(), e => e.RowKey == "r|purge" || e.RowKey == "c|" + CaseIdOf(closedTask));
        Assert.Equal(ddas, (await CountsAsync()).Ddas);
        Assert.Equal(report, (await CountsAsync()).Report);
    }

    public void Dispose() => _app.Dispose();

    // Two households in 0363: one whose case is closed without help (an unanswered phone call), one still open.
    private async Task<(string Closed, string Open)> TwoCasesAsync()
    {
        var closed = await DispatchedTaskAsync(_app, "RET-CLOSED-1");
        var open = await DispatchedTaskAsync(_app, "RET-OPEN-1", huisnummer: 9);
        using (var attempt = await SendAsync(_app, "POST", $"/api/v1/tasks/{closed}/contactpogingen", TestEnvironment.TeamAmsterdamKey, json: Attempt("p-1", datum: Day(_clock.GetUtcNow()))))
        {
            Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
        }

        using (var close = await SendAsync(_app, "POST", $"/api/v1/tasks/{closed}/afsluiting", TestEnvironment.TeamAmsterdamKey, json: """{"resultaat":"Definitief geen contact kunnen krijgen"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        return (closed, open);
    }

    // The DDAS counts of the closed period the cases ran in (the ten days before they were closed, and that day), and
    // the report's counts, as text. Called after the clock moved on 184 days.
    private async Task<(string Ddas, string Report)> CountsAsync()
    {
        var day = DutchCalendar.LocalDate(_clock.GetUtcNow().AddDays(-184));
        var request = new DdasExportRequest("0363", day.AddDays(-10), day, _clock.GetUtcNow(), "GM0363", new DdasOrganisatie("Gemeente", null, null));
        var ddas = await _app.Services.GetRequiredService<DdasExporter>().CountAsync(request, CancellationToken.None);
        Assert.True(ddas.Vroegsignaalzaken == 2 && ddas.Vroegsignalen == 2 && ddas.Contactpogingen == 1, ddas.Describe());
        var r = RunReportBuilder.Build(await _app.Services.GetRequiredService<RunObserver>().ObserveAsync(["0363"], CancellationToken.None), _clock.GetUtcNow());
        var report = string.Join(
            "\n",
            string.Create(CultureInfo.InvariantCulture, $"signals {r.SignalsStored} cases {r.Cases.Total} multi {r.Cases.WithMultipleCreditors} tasks {r.Tasks.Total} dispatched {r.Tasks.Dispatched} quarantine {r.Quarantine.Total}"),
            string.Join(", ", r.Cases.ByStatus.Select(kv => kv.Key + "=" + kv.Value)),
            string.Join(", ", r.Cases.ByGemeente.Select(kv => kv.Key + "=" + kv.Value)),
            string.Join(", ", r.Tasks.ByPriority.Select(kv => kv.Key + "=" + kv.Value)),
            string.Join(", ", r.Tasks.ByTeam.Select(kv => kv.Key + "=" + kv.Value)),
            string.Join(", ", r.Tasks.ByGemeenteAndPriority.Select(kv => kv.Key + ":" + string.Join("/", kv.Value.Select(x => x.Key + "=" + x.Value)))),
            // The outcomes: the funnel, reach by channel, the teams' decisions and results, feedback sent.
            string.Join(", ", r.Outcomes.ByGemeente.Prepend(KeyValuePair.Create("total", r.Outcomes.Total)).Select(kv => kv.Key + "=" + kv.Value)),
            string.Join(", ", r.Outcomes.ReachByChannel.Select(kv => kv.Key + "=" + kv.Value)),
            string.Create(CultureInfo.InvariantCulture, $"attempts {r.Outcomes.ContactAttempts} declined {r.Outcomes.HelpDeclined} feedback {r.Outcomes.FeedbackSent}"),
            string.Join(", ", r.Outcomes.ClosedByResultaat.Select(kv => kv.Key + "=" + kv.Value)));
        Assert.Contains("cases 2", report, StringComparison.Ordinal);
        Assert.Contains("total=FunnelRow { Signals = 2, Cases = 2, Tasks = 2, Attempted = 1, Reached = 0, HelpAccepted = 0 }", report, StringComparison.Ordinal);
        Assert.Contains("attempts 1 declined 0", report, StringComparison.Ordinal);
        return (ddas.Describe(), report);
    }

    // Every row of every table the app has, with its ETag: a write of the same values shows too.
    private async Task<string> SnapshotAsync()
    {
        var lines = new List<string>();
        await foreach (var table in _app.Storage.Tables.QueryAsync())
        {
            if (table.Name.StartsWith(_app.Names.TablePrefix, StringComparison.Ordinal))
            {
                lines.AddRange((await _app.EntitiesAsync(table.Name)).Select(e => $"{table.Name} {e.PartitionKey} {e.RowKey} {e.ETag}"));
            }
        }

        return string.Join("\n", lines.Order(StringComparer.Ordinal));
    }

    private static string Day(DateTimeOffset at) => DutchCalendar.LocalDate(at).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
