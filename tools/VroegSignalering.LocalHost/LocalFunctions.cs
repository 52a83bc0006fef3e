using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.LocalHost;

/// <summary>
/// The app's functions bound for in-process calls, and a listener per queue and timer trigger, with every
/// <c>%Setting%</c> resolved from configuration as the Functions host resolves it from app settings.
/// Built once at start: a function this host cannot bind, or a setting that is missing, stops the start.
/// </summary>
public sealed class LocalFunctions
{
    private readonly Dictionary<string, BoundFunction> _functions;

    public LocalFunctions(IConfiguration configuration, IOptions<LocalHostOptions> options, IServiceScopeFactory scopes, TimeProvider time, ILoggerFactory loggers)
    {
        var settings = options.Value;
        Catalog = FunctionCatalog.Load(settings.AppRoot ?? AppContext.BaseDirectory);
        _functions = Catalog.Functions.ToDictionary(
            f => f.Name,
            f => new BoundFunction(f, loggers.CreateLogger("Function." + f.Name)),
            StringComparer.OrdinalIgnoreCase);

        var disabled = settings.DisabledFunctions.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var storage = new Dictionary<string, StorageClients>(StringComparer.OrdinalIgnoreCase);
        var timers = new List<TimerTriggerListener>();
        var queues = new List<QueueTriggerListener>();
        foreach (var function in _functions.Values)
        {
            var trigger = function.Function.Trigger;
            if (disabled.Contains(function.Name) || IsDisabledBySetting(configuration, function.Name))
            {
                continue;
            }

            var logger = loggers.CreateLogger("VroegSignalering.LocalHost." + function.Name);
            string Resolve(string property) => FunctionCatalog.ResolveSettings(
                trigger.Text(property) ?? throw new InvalidDataException($"{function.Name}: its {trigger.Type} has no '{property}'"),
                key => configuration[key]);
            if (trigger.Is("timerTrigger"))
            {
                timers.Add(new TimerTriggerListener(function, Resolve("schedule"), trigger.Flag("runOnStartup"), scopes, time, logger));
            }
            else if (trigger.Is("queueTrigger"))
            {
                var queueName = Resolve("queueName");
                var connection = string.IsNullOrEmpty(trigger.Text("connection")) ? StorageClients.DefaultConnectionName : trigger.Text("connection")!;
                if (!storage.TryGetValue(connection, out var clients))
                {
                    clients = StorageClients.FromConfiguration(configuration, connection);
                    storage[connection] = clients;
                }

                // The listener decodes bodies itself, per host.json messageEncoding, as the host does.
                queues.Add(new QueueTriggerListener(
                    function, clients.RawQueues.GetQueueClient(queueName), clients.RawQueues.GetQueueClient(queueName + "-poison"),
                    Catalog.Host.Queues, scopes, time, settings, logger));
            }
            else if (!trigger.Is("httpTrigger"))
            {
                throw new NotSupportedException($"{function.Name}: the local host runs http, queue and timer triggers, not {trigger.Type}");
            }
        }

        Timers = timers;
        Queues = queues;
    }

    public FunctionCatalog Catalog { get; }

    public IReadOnlyList<TimerTriggerListener> Timers { get; }

    public IReadOnlyList<QueueTriggerListener> Queues { get; }

    public IEnumerable<BoundFunction> Http => _functions.Values.Where(f => f.Function.Trigger.Is("httpTrigger"));

    public BoundFunction this[string name] => _functions.TryGetValue(name, out var f) ? f : throw new KeyNotFoundException($"no function named '{name}'");

    public QueueTriggerListener Queue(string functionName) =>
        Queues.FirstOrDefault(q => q.FunctionName.Equals(functionName, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"no queue trigger for function '{functionName}' (disabled, or not a queue trigger)");

    public TimerTriggerListener Timer(string functionName) =>
        Timers.FirstOrDefault(t => t.FunctionName.Equals(functionName, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"no timer trigger for function '{functionName}' (disabled, or not a timer trigger)");

    // The host's own switch: AzureWebJobs.<FunctionName>.Disabled = true.
    private static bool IsDisabledBySetting(IConfiguration configuration, string functionName) =>
        bool.TryParse(configuration[$"AzureWebJobs.{functionName}.Disabled"] ?? configuration[$"AzureWebJobs:{functionName}:Disabled"], out var disabled) && disabled;
}

/// <summary>Runs every queue and timer listener once the server listens, until the host stops.</summary>
public sealed partial class LocalTriggerRunner(LocalFunctions functions, IHostApplicationLifetime lifetime, IOptions<LocalHostOptions> options, ILogger<LocalTriggerRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunTriggers)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await Task.WhenAny(started.Task, Task.Delay(Timeout.Infinite, stoppingToken));
        }

        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        foreach (var t in functions.Timers)
        {
            LogTimer(logger, t.FunctionName, t.Expression);
        }

        foreach (var q in functions.Queues)
        {
            LogQueue(logger, q.FunctionName, q.QueueName, q.PoisonQueueName);
        }

        await Task.WhenAll(functions.Timers.Select(t => t.RunAsync(stoppingToken)).Concat(functions.Queues.Select(q => q.RunAsync(stoppingToken))));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local host: {FunctionName} on timer '{Schedule}'")]
    private static partial void LogTimer(ILogger logger, string functionName, string schedule);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local host: {FunctionName} on queue {QueueName} (poison: {PoisonQueue})")]
    private static partial void LogQueue(ILogger logger, string functionName, string queueName, string poisonQueue);
}
