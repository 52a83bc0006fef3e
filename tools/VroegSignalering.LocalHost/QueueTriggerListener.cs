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
    private bool _queuesCreated;

    public string FunctionName => function.Name;

    public string QueueName => queue.Name;

    public string PoisonQueueName => poison.Name;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        var wait = options.MinPollingInterval;
        var max = settings.MaxPollingInterval > TimeSpan.Zero ? settings.MaxPollingInterval : TimeSpan.FromMinutes(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            if (running.Count > Math.Max(0, settings.NewBatchThreshold))
            {
                await Task.WhenAny(running);
                continue;
            }

            QueueMessage[] messages = [];
            try
            {
                messages = await ReceiveAsync(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogPollFailed(logger, ex, queue.Name);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            running.AddRange(messages.Select(m => ProcessAsync(m, cancellationToken)));
            wait = messages.Length > 0 ? options.MinPollingInterval : TimeSpan.FromTicks(Math.Min(max.Ticks, wait.Ticks * 2));
            if (messages.Length == 0)
            {
                var idle = Task.Delay(wait, time, cancellationToken);
                await Task.WhenAny(running.Append(idle));
            }
        }

        await Task.WhenAll(running);
    }

    /// <summary>Receives one batch and processes it to the end; returns how many messages it handled (tests drive a queue with this).</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var messages = await ReceiveAsync(cancellationToken);
        await Task.WhenAll(messages.Select(m => ProcessAsync(m, cancellationToken)));
        return messages.Length;
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
                LogMovedToPoison(logger, function.Name, message.MessageId, "it is not valid base64 UTF-8", poison.Name);
                await MoveToPoisonAsync(message, cancellationToken);
                return;
            }

            if (await SucceedsAsync(text, message, cancellationToken))
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
            else if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                LogMovedToPoison(logger, function.Name, message.MessageId, $"it failed {message.DequeueCount} times", poison.Name);
                await MoveToPoisonAsync(message, cancellationToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Settling failed (lease lost, storage down): the message comes back when its lease ends.
            LogSettleFailed(logger, ex, queue.Name, message.MessageId);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the message becomes visible again when its lease ends.
        }
    }

    private async Task<bool> SucceedsAsync(string text, QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await function.InvokeAsync(scope.ServiceProvider, new TriggerInput { QueueMessage = text }, cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFunctionFailed(logger, ex, function.Name, message.DequeueCount, settings.MaxDequeueCount);
            return false;
        }
    }

    private string? Decode(QueueMessage message)
    {
        var raw = message.Body.ToString();
        if (!settings.MessageEncoding.Equals("base64", StringComparison.OrdinalIgnoreCase))
        {
            return raw;
        }

        var buffer = new byte[raw.Length];
        try
        {
            return Convert.TryFromBase64String(raw, buffer, out var written) ? new UTF8Encoding(false, true).GetString(buffer, 0, written) : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        await poison.SendMessageAsync(message.Body.ToString(), cancellationToken: cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue {QueueName} failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string queueName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FunctionName} failed on attempt {DequeueCount} of {MaxDequeueCount}")]
    private static partial void LogFunctionFailed(ILogger logger, Exception exception, string functionName, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FunctionName}: message {MessageId} moved to {PoisonQueue}: {Reason}")]
    private static partial void LogMovedToPoison(ILogger logger, string functionName, string messageId, string reason, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settling message {MessageId} on {QueueName} failed; it becomes visible again when its lease ends")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string queueName, string messageId);
}
