using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace VroegSignalering.LocalHost;

/// <summary>
/// Fires a timer function on its six-field NCRONTAB schedule (UTC, like the host), one run at a time; a
/// failed run is not retried, the next occurrence runs as scheduled. Time comes from <see cref="TimeProvider"/>.
/// </summary>
public sealed class TimerTriggerListener(BoundFunction function, string schedule, bool runOnStartup, IServiceScopeFactory scopes, TimeProvider time)
{
    private static readonly TimeSpan PastDueTolerance = TimeSpan.FromSeconds(5);
    private readonly CrontabSchedule _schedule = ParseSchedule(function.Name, schedule);
    private DateTimeOffset? _last;

    public string FunctionName => function.Name;

    public string Expression => schedule;

    public static CrontabSchedule ParseSchedule(string functionName, string expression) =>
        CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
        ?? throw new InvalidOperationException($"{functionName}: '{expression}' is not a six-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}})");

    public DateTimeOffset NextOccurrence(DateTimeOffset after) => new(DateTime.SpecifyKind(_schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (runOnStartup)
        {
            await FireAsync(time.GetUtcNow(), cancellationToken);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = NextOccurrence(now);
            await Task.Delay(next - now, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!cancellationToken.IsCancellationRequested)
            {
                await FireAsync(next, cancellationToken);
            }
        }
    }

    /// <summary>One run, as if the schedule fell due at <paramref name="scheduled"/>; false when the function failed.</summary>
    public async Task<bool> FireAsync(DateTimeOffset scheduled, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var timer = new TimerInfo
        {
            IsPastDue = now - scheduled > PastDueTolerance,
            ScheduleStatus = new ScheduleStatus { Last = (_last ?? DateTimeOffset.MinValue).UtcDateTime, Next = NextOccurrence(now).UtcDateTime, LastUpdated = now.UtcDateTime },
        };
        _last = scheduled;
        return await function.TryInvokeAsync(scopes, new TriggerInput(Timer: timer), "timer: it runs again at its next occurrence", cancellationToken);
    }
}
