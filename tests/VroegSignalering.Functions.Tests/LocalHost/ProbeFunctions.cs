using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using VroegSignalering.LocalHost;

namespace VroegSignalering.Functions.Tests.LocalHost;

/// <summary>What the probe functions saw, and how they should behave.</summary>
public sealed class ProbeLog
{
    private int _running;
    private int _maxRunning;

    public ConcurrentQueue<string> Messages { get; } = new();

    public ConcurrentQueue<TimerInfo> Timers { get; } = new();

    /// <summary>Messages whose invocation fails (every time).</summary>
    public ConcurrentDictionary<string, bool> Failing { get; } = new();

    /// <summary>When set, every queue invocation waits for a permit from it.</summary>
    public SemaphoreSlim? Permits { get; set; }

    public int MaxRunning => _maxRunning;

    public int Running => Volatile.Read(ref _running);

    public async Task HandleAsync(string message)
    {
        var now = Interlocked.Increment(ref _running);
        int seen;
        while ((seen = Volatile.Read(ref _maxRunning)) < now && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
        {
        }

        try
        {
            Messages.Enqueue(message);
            if (Permits is { } permits)
            {
                await permits.WaitAsync();
            }

            if (Failing.ContainsKey(message))
            {
                throw new InvalidOperationException("probe failure");
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}

/// <summary>Function classes shaped as the app's, for driving the local host's listeners without the app.</summary>
public sealed class ProbeQueueFunction(ProbeLog log)
{
    [Function("ProbeQueue")]
    public Task RunAsync([QueueTrigger("%ProbeQueue%")] string message, CancellationToken cancellationToken) => log.HandleAsync(message);
}

public sealed class ProbeTimerFunction(ProbeLog log)
{
    [Function("ProbeTimer")]
    public Task RunAsync([TimerTrigger("%ProbeSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        log.Timers.Enqueue(timer);
        return Task.CompletedTask;
    }
}

public sealed class ProbeContextFunction
{
    [Function("ProbeContext")]
    public Task RunAsync([QueueTrigger("q")] string message, FunctionContext context) => Task.CompletedTask;
}

internal static class Probes
{
    public static ServiceProvider Services(ProbeLog log) => new ServiceCollection().AddSingleton(log).BuildServiceProvider();

    /// <summary>A function as functions.metadata would list it, bound for the local host.</summary>
    public static BoundFunction Bind<TFunction>(string triggerType, string triggerName, string triggerJson)
    {
        var method = typeof(TFunction).GetMethod("RunAsync", BindingFlags.Public | BindingFlags.Instance)!;
        using var doc = JsonDocument.Parse(triggerJson);
        var name = method.GetCustomAttribute<FunctionAttribute>()!.Name;
        return new BoundFunction(new LocalFunction(name, method, new TriggerBinding(triggerType, triggerName, doc.RootElement.Clone())), NullLogger.Instance);
    }
}
