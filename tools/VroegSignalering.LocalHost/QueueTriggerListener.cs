using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace VroegSignalering.LocalHost;

/// <summary>
/// Polls one storage queue for one function with the Functions queue trigger's semantics (host.json
/// extensions.queues): up to batchSize messages run concurrently, the next batch is fetched when no more
/// than newBatchThreshold still run, a message is deleted after success, visible again after
/// visibilityTimeout on failure, and moved to <c>&lt;queue&gt;-poison</c> (as it came) after
/// maxDequeueCount attempts. Bodies are decoded per messageEncoding; one that does not decode goes to
/// the poison queue unread. An empty queue is polled again after a wait that doubles up to maxPollingInterval.
/// </summary>
public sealed partial class QueueTriggerListener(
    BoundFunction function, QueueClient queue, QueueClient poison, QueueTriggerSettings settings,
    IServiceScopeFactory scopes, TimeProvider time, LocalHostOptions options, ILogger logger)
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private bool _queuesCreated;

    public string FunctionName => function.Name;

    public string QueueName => queue.Name;

    public string PoisonQueueName => poison.Name;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        var wait = MinPollingInterval;
        var max = settings.MaxPollingInterval > TimeSpan.Zero ? settings.MaxPollingInterval : TimeSpan.FromMinutes(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            if (running.Count > Math.Max(0, settings.NewBatchThreshold))
            {
                await Task.WhenAny(running);
                continue;
            }

            IReadOnlyList<Task> started = [];
            try
            {
                started = await StartBatchAsync(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogQueueFailed(logger, ex, queue.Name, "polling", "it is polled again after the back-off");
            }
            catch (OperationCanceledException)
            {
                break;
            }

            running.AddRange(started);
            wait = started.Count > 0 ? MinPollingInterval : TimeSpan.FromTicks(Math.Min(max.Ticks, wait.Ticks * 2));
            if (started.Count == 0)
            {
                var idle = Task.Delay(wait, time, cancellationToken);
                await Task.WhenAny(running.Append(idle));
            }
        }

        // Stopping: what still runs is cancelled, and its messages come back when their leases end.
        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The host.json settings this listener polls with.</summary>
    public QueueTriggerSettings Settings => settings;

    /// <summary>Receives one batch and processes it to the end; returns how many messages it handled (tests drive a queue with this).</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var started = await StartBatchAsync(cancellationToken);
        await Task.WhenAll(started);
        return started.Count;
    }

    /// <summary>
    /// Receives one batch (up to batchSize) and starts processing each message; returns the running tasks, empty when the
    /// queue was empty. <see cref="RunAsync"/> calls this whenever no more than newBatchThreshold messages still run.
    /// </summary>
    public async Task<IReadOnlyList<Task>> StartBatchAsync(CancellationToken cancellationToken)
    {
        var messages = await ReceiveAsync(cancellationToken);
        return messages.Select(m => ProcessAsync(m, cancellationToken)).ToList();
    }

    private async Task<QueueMessage[]> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!_queuesCreated)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _queuesCreated = true;
        }

        return (await queue.ReceiveMessagesAsync(Math.Clamp(settings.BatchSize, 1, 32), options.MessageLease, cancellationToken)).Value;
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (Decode(message) is not { } text)
            {
                await MoveToPoisonAsync(message, "it is not valid base64 UTF-8", cancellationToken);
                return;
            }

            var attempt = $"attempt {message.DequeueCount} of {settings.MaxDequeueCount}";
            if (await function.TryInvokeAsync(scopes, new TriggerInput(QueueMessage: text), attempt, cancellationToken))
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
            else if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, $"it failed {message.DequeueCount} times", cancellationToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Settling failed (lease lost, storage down), or the host stops: the message comes back when its lease ends.
            LogQueueFailed(logger, ex, queue.Name, "settling message " + message.MessageId, "it becomes visible again when its lease ends");
        }
    }

    private string? Decode(QueueMessage message)
    {
        var raw = message.Body.ToString();
        var bytes = new byte[raw.Length];
        try
        {
            return !settings.MessageEncoding.Equals("base64", StringComparison.OrdinalIgnoreCase) ? raw
                : Convert.TryFromBase64String(raw, bytes, out var written) ? StrictUtf8.GetString(bytes, 0, written) : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, string reason, CancellationToken cancellationToken)
    {
        LogMovedToPoison(logger, function.Name, message.MessageId, reason, poison.Name);
        await poison.SendMessageAsync(message.Body.ToString(), cancellationToken: cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: {What} failed; {Then}")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception, string queueName, string what, string then);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FunctionName}: message {MessageId} moved to {PoisonQueue}: {Reason}")]
    private static partial void LogMovedToPoison(ILogger logger, string functionName, string messageId, string reason, string poisonQueue);
}
