using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace VroegSignalering.LocalHost;

/// <summary>
/// Fires a timer function on its six-field NCRONTAB schedule (UTC, like the host), one invocation at a
/// time; a failed run is not retried, the next occurrence runs as scheduled. Time comes from
/// <see cref="TimeProvider"/>, so tests advance it by hand.
/// </summary>
public sealed partial class TimerTriggerListener
{
    private static readonly TimeSpan PastDueTolerance = TimeSpan.FromSeconds(5);
    private readonly BoundFunction _function;
    private readonly CrontabSchedule _schedule;
    private readonly bool _runOnStartup;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DateTimeOffset? _last;

    public TimerTriggerListener(BoundFunction function, string schedule, bool runOnStartup, IServiceScopeFactory scopes, TimeProvider time, ILogger logger)
    {
        _function = function;
        Expression = schedule;
        _schedule = ParseSchedule(function.Name, schedule);
        _runOnStartup = runOnStartup;
        _scopes = scopes;
        _time = time;
        _logger = logger;
    }

    public string FunctionName => _function.Name;

    public string Expression { get; }

    public static CrontabSchedule ParseSchedule(string functionName, string expression) =>
        CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
        ?? throw new InvalidOperationException(
            $"{functionName}: '{expression}' is not a six-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}})");

    public DateTimeOffset NextOccurrence(DateTimeOffset after) =>
        new(DateTime.SpecifyKind(_schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_runOnStartup)
        {
            await FireAsync(_time.GetUtcNow(), cancellationToken);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var next = NextOccurrence(now);
            try
            {
                await Task.Delay(next - now, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FireAsync(next, cancellationToken);
        }
    }

    /// <summary>One run as if the schedule fell due at <paramref name="scheduled"/>; returns whether the function succeeded.</summary>
    public async Task<bool> FireAsync(DateTimeOffset scheduled, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var timer = new TimerInfo
        {
            IsPastDue = now - scheduled > PastDueTolerance,
            ScheduleStatus = new ScheduleStatus { Last = (_last ?? DateTimeOffset.MinValue).UtcDateTime, Next = NextOccurrence(now).UtcDateTime, LastUpdated = now.UtcDateTime },
        };
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await _function.InvokeAsync(scope.ServiceProvider, new TriggerInput { Timer = timer }, cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false; // shutting down
        }
        catch (Exception ex)
        {
            LogTimerFailed(_logger, ex, _function.Name);
            return false;
        }
        finally
        {
            _last = scheduled;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer function {FunctionName} failed; it runs again at its next occurrence")]
    private static partial void LogTimerFailed(ILogger logger, Exception exception, string functionName);
}
