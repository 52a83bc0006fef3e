using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.LocalHost;

namespace VroegSignalering.Functions.Tests.LocalHost;

/// <summary>Timers fire on their six-field NCRONTAB schedule in UTC, as the host fires them; time is a FakeTimeProvider.</summary>
public sealed class TimerTriggerListenerTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_timer_fires_at_its_next_occurrence_and_not_before_with_the_schedule_status_filled_in()
    {
        var log = new ProbeLog();
        using var services = Probes.Services(log);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 4, 59, TimeSpan.Zero));
        var function = Probes.Bind<ProbeTimerFunction>("timerTrigger", "timer", """{ "schedule": "%ProbeSchedule%" }""");
        var listener = new TimerTriggerListener(function, "0 */5 * * * *", runOnStartup: false, services.GetRequiredService<IServiceScopeFactory>(), time);
        using var cts = new CancellationTokenSource();

        var run = listener.RunAsync(cts.Token);
        Assert.Empty(log.Timers);
        time.Advance(TimeSpan.FromSeconds(1)); // 10:05:00, the next occurrence of */5 minutes
        while (log.Timers.IsEmpty)
        {
            await Task.Yield();
        }

        await cts.CancelAsync();
        await run.WaitAsync(Safety);
        var timer = Assert.Single(log.Timers);
        Assert.False(timer.IsPastDue);
        Assert.Equal(new DateTime(2026, 11, 22, 10, 10, 0, DateTimeKind.Utc), timer.ScheduleStatus!.Next);
    }

    [Fact]
    public void A_schedule_that_is_not_six_field_ncrontab_is_refused_with_the_expected_format()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => TimerTriggerListener.ParseSchedule("TriageCases", "*/5 * * * *"));

        Assert.Contains("six-field", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TriageCases", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Setting_references_resolve_whole_or_in_part_and_a_missing_one_is_named()
    {
        Assert.Equal("q-x-1", FunctionCatalog.ResolveSettings("q-%A%-1", _ => "x"));

        var ex = Assert.Throws<InvalidOperationException>(() => FunctionCatalog.ResolveSettings("%TriageCasesSchedule%", _ => null));
        Assert.Contains("TriageCasesSchedule", ex.Message, StringComparison.Ordinal);
    }
}
