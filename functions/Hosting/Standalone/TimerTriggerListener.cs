using NCrontab;

namespace VroegSignalering.Functions.Hosting.Standalone;

/// <summary>
/// Fires a timerTrigger function on its six-field NCRONTAB schedule (UTC, like the host), one
/// invocation at a time. Time comes from <see cref="TimeProvider"/> so tests advance it by hand.
/// </summary>
public sealed partial class TimerTriggerListener
{
    private static readonly TimeSpan PastDueTolerance = TimeSpan.FromSeconds(5);
    private readonly string _functionName;
    private readonly string _binding;
    private readonly string _expression;
    private readonly CrontabSchedule _schedule;
    private readonly bool _runOnStartup;
    private readonly IFunctionInvoker _invoker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DateTimeOffset? _last;

    public TimerTriggerListener(string functionName, string binding, string schedule, bool runOnStartup, IFunctionInvoker invoker, TimeProvider time, ILogger logger)
    {
        _functionName = functionName;
        _binding = binding;
        _expression = schedule;
        _schedule = ParseSchedule(functionName, schedule);
        _runOnStartup = runOnStartup;
        _invoker = invoker;
        _time = time;
        _logger = logger;
    }

    public string Description => $"{_functionName} on '{_expression}'";

    public static CrontabSchedule ParseSchedule(string functionName, string expression)
    {
        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        return schedule ?? throw new InvalidOperationException(
            $"{functionName}: '{expression}' is not a six-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}})");
    }

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

    private async Task FireAsync(DateTimeOffset scheduled, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var payload = HostPayloads.Timer(_functionName, _binding, now, _last, NextOccurrence(now), now - scheduled > PastDueTolerance);
        try
        {
            var outcome = await _invoker.InvokeAsync(_functionName, payload, cancellationToken);
            if (!outcome.Succeeded)
            {
                // Timers are not retried by the host either; the next occurrence runs as scheduled.
                LogTimerFailed(_logger, _functionName, outcome.StatusCode);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // shutting down
        }
        catch (Exception ex)
        {
            LogTimerError(_logger, ex, _functionName);
        }

        _last = scheduled;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer function {FunctionName} returned {StatusCode}; it runs again at its next occurrence")]
    private static partial void LogTimerFailed(ILogger logger, string functionName, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer function {FunctionName} could not be invoked")]
    private static partial void LogTimerError(ILogger logger, Exception exception, string functionName);
}
