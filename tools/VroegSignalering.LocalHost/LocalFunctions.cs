using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.LocalHost;

/// <summary>
/// The app's functions bound for in-process calls, and a listener per queue and timer trigger with every
/// <c>%Setting%</c> resolved from configuration, as the Functions host resolves it from app settings.
/// Built once at start: a function this host cannot bind, or a missing setting, stops the start.
/// </summary>
public sealed class LocalFunctions
{
    private readonly Dictionary<string, BoundFunction> _functions;

    public LocalFunctions(IConfiguration configuration, IOptions<LocalHostOptions> options, IServiceScopeFactory scopes, TimeProvider time, ILoggerFactory loggers)
    {
        var settings = options.Value;
        Catalog = FunctionCatalog.Load(settings.AppRoot ?? AppContext.BaseDirectory);
        _functions = Catalog.Functions.ToDictionary(f => f.Name, f => new BoundFunction(f, loggers.CreateLogger("Function." + f.Name)), StringComparer.OrdinalIgnoreCase);
        var storage = new Dictionary<string, StorageClients>(StringComparer.OrdinalIgnoreCase);
        var timers = new List<TimerTriggerListener>();
        var queues = new List<QueueTriggerListener>();
        foreach (var function in _functions.Values.Where(f => !settings.DisabledFunctions.Contains(f.Name, StringComparer.OrdinalIgnoreCase) && !DisabledBySetting(configuration, f.Name)))
        {
            var trigger = function.Function.Trigger;
            var logger = loggers.CreateLogger("VroegSignalering.LocalHost." + function.Name);
            string Resolve(string property) => FunctionCatalog.ResolveSettings(
                trigger.Text(property) ?? throw new InvalidDataException($"{function.Name}: its {trigger.Type} has no '{property}'"), key => configuration[key]);
            if (trigger.Is("timerTrigger"))
            {
                timers.Add(new TimerTriggerListener(function, Resolve("schedule"), trigger.Flag("runOnStartup"), scopes, time, logger));
            }
            else if (trigger.Is("queueTrigger"))
            {
                var connection = trigger.Text("connection") is { Length: > 0 } c ? c : StorageClients.DefaultConnectionName;
                if (!storage.TryGetValue(connection, out var clients))
                {
                    storage[connection] = clients = StorageClients.FromConfiguration(configuration, connection);
                }

                // Raw clients: the listener decodes bodies itself, per host.json messageEncoding, as the host does.
                var queue = Resolve("queueName");
                queues.Add(new QueueTriggerListener(function, clients.RawQueues.GetQueueClient(queue), clients.RawQueues.GetQueueClient(queue + "-poison"), Catalog.Host.Queues, scopes, time, settings, logger));
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

    public BoundFunction this[string name] => _functions[name];

    public QueueTriggerListener Queue(string functionName) =>
        Queues.FirstOrDefault(q => q.FunctionName == functionName) ?? throw new KeyNotFoundException($"no queue listener for '{functionName}' (disabled, or not a queue trigger)");

    public TimerTriggerListener Timer(string functionName) =>
        Timers.FirstOrDefault(t => t.FunctionName == functionName) ?? throw new KeyNotFoundException($"no timer for '{functionName}' (disabled, or not a timer trigger)");

    // The host's own switch: AzureWebJobs.<FunctionName>.Disabled (or AzureWebJobs__<FunctionName>__Disabled) = true.
    private static bool DisabledBySetting(IConfiguration configuration, string name) =>
        bool.TryParse(configuration[$"AzureWebJobs.{name}.Disabled"] ?? configuration[$"AzureWebJobs:{name}:Disabled"], out var disabled) && disabled;
}
