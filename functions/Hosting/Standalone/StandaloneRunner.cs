using Azure.Storage.Queues;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.Functions.Hosting.Standalone;

/// <summary>Creates the listeners that drive each function.json's trigger in standalone mode.</summary>
public sealed class TriggerListenerFactory(IConfiguration configuration, TimeProvider time, IOptions<StandaloneOptions> options, ILoggerFactory loggers)
{
    public sealed record Listeners(IReadOnlyList<TimerTriggerListener> Timers, IReadOnlyList<QueueTriggerListener> Queues);

    public Listeners Create(string appRoot, IFunctionInvoker invoker)
    {
        var host = FunctionDefinitions.LoadHost(appRoot);
        var timers = new List<TimerTriggerListener>();
        var queues = new List<QueueTriggerListener>();
        var storage = new Dictionary<string, StorageClients>(StringComparer.OrdinalIgnoreCase);
        var disabled = options.Value.DisabledFunctions.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var function in FunctionDefinitions.Load(appRoot))
        {
            if (function.Disabled || disabled.Contains(function.Name) || IsDisabledBySetting(function.Name))
            {
                continue;
            }

            var trigger = function.Trigger;
            var logger = loggers.CreateLogger($"VroegSignalering.Standalone.{function.Name}");
            switch (trigger.Type.ToLowerInvariant())
            {
                case "timertrigger":
                    var schedule = Resolve(trigger.Text("schedule") ?? throw new InvalidDataException($"{function.Name}: timerTrigger lacks 'schedule'"));
                    timers.Add(new TimerTriggerListener(function.Name, trigger.Name, schedule, trigger.Flag("runOnStartup"), invoker, time, logger));
                    break;
                case "queuetrigger":
                {
                    var queueName = Resolve(trigger.Text("queueName") ?? throw new InvalidDataException($"{function.Name}: queueTrigger lacks 'queueName'"));
                    var clients = Storage(storage, trigger.Text("connection"));
                    queues.Add(new QueueTriggerListener(
                        function.Name, trigger.Name, RawQueue(clients, queueName), RawQueue(clients, queueName + "-poison"),
                        host.Queues, host.Queues.MaxDequeueCount, QueueFlavor.StorageQueue, invoker, time, options.Value, logger));
                    break;
                }

                case "servicebustrigger":
                {
                    // Locally a Service Bus entity is a storage queue of the same name (topic-subscription for topics).
                    var entity = trigger.Text("queueName") is { } q
                        ? Resolve(q)
                        : $"{Resolve(trigger.Text("topicName") ?? string.Empty)}-{Resolve(trigger.Text("subscriptionName") ?? string.Empty)}";
                    var queueName = LocalQueueName(entity);
                    var clients = Storage(storage, null);
                    queues.Add(new QueueTriggerListener(
                        function.Name, trigger.Name, RawQueue(clients, queueName), RawQueue(clients, queueName + "-deadletter"),
                        host.Queues with { MessageEncoding = "base64" }, options.Value.ServiceBusMaxDeliveryCount, QueueFlavor.ServiceBus, invoker, time, options.Value, logger));
                    break;
                }

                case "httptrigger":
                    break; // served directly by ASP.NET Core routing, as the host proxies it in Azure
                default:
                    throw new InvalidDataException($"{function.Name}: trigger type '{trigger.Type}' is not supported by the standalone runner");
            }
        }

        return new Listeners(timers, queues);
    }

    /// <summary>Storage queue names are 3-63 lower-case letters, digits and single hyphens.</summary>
    public static string LocalQueueName(string entity)
    {
        var chars = entity.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var name = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return name.Length > 52 ? name[..52] : name;
    }

    private bool IsDisabledBySetting(string functionName) =>
        bool.TryParse(configuration[$"AzureWebJobs.{functionName}.Disabled"] ?? configuration[$"AzureWebJobs:{functionName}:Disabled"], out var disabled) && disabled;

    private string Resolve(string value) => FunctionDefinitions.ResolveSettings(value, key => configuration[key]);

    private StorageClients Storage(Dictionary<string, StorageClients> cache, string? connection)
    {
        var name = string.IsNullOrEmpty(connection) ? StorageClients.DefaultConnectionName : connection;
        if (!cache.TryGetValue(name, out var clients))
        {
            clients = StorageClients.FromConfiguration(configuration, name);
            cache[name] = clients;
        }

        return clients;
    }

    // The runner decodes message bodies itself, per host.json messageEncoding, as the host does.
    private static QueueClient RawQueue(StorageClients clients, string name) => clients.RawQueues.GetQueueClient(name);
}

/// <summary>
/// Standalone mode's stand-in for the Functions host: once the server listens, it starts a listener
/// per timer, queue and Service Bus trigger and invokes the handler over HTTP at its own address.
/// </summary>
public sealed partial class StandaloneRunner(
    IServer server,
    IHostApplicationLifetime lifetime,
    TriggerListenerFactory factory,
    IHttpClientFactory httpClients,
    IOptions<StandaloneOptions> options,
    ILogger<StandaloneRunner> logger) : BackgroundService
{
    public const string HttpClientName = "standalone-invoker";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
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

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the standalone runner needs the server's listening address");
        var http = httpClients.CreateClient(HttpClientName);
        http.BaseAddress = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        var appRoot = options.Value.AppRoot ?? AppContext.BaseDirectory;
        var listeners = factory.Create(appRoot, new HttpFunctionInvoker(http));
        foreach (var t in listeners.Timers)
        {
            LogTimer(logger, t.Description);
        }

        foreach (var q in listeners.Queues)
        {
            LogQueue(logger, q.QueueName, q.FailedQueueName);
        }

        var tasks = listeners.Timers.Select(t => t.RunAsync(stoppingToken))
            .Concat(listeners.Queues.Select(q => q.RunAsync(stoppingToken)));
        await Task.WhenAll(tasks);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Standalone runner: timer {Timer}")]
    private static partial void LogTimer(ILogger logger, string timer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Standalone runner: polling queue {QueueName} (failed messages go to {FailedQueue})")]
    private static partial void LogQueue(ILogger logger, string queueName, string failedQueue);
}
