using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace VroegSignalering.LocalHost;

/// <summary>
/// Polls one storage queue for one function with the Functions queue trigger's semantics (host.json
/// extensions.queues): receives up to batchSize messages and invokes the function for each concurrently,
/// fetches the next batch when no more than newBatchThreshold are still running, deletes a message after
/// success, makes it visible again after visibilityTimeout on failure, and moves it to
/// <c>&lt;queue&gt;-poison</c> after maxDequeueCount attempts. Message bodies are decoded per
/// messageEncoding (base64 by default); one that does not decode goes to the poison queue unread.
/// </summary>
public sealed partial class QueueTriggerListener
{
    private readonly BoundFunction _function;
    private readonly QueueClient _queue;
    private readonly QueueClient _poison;
    private readonly QueueTriggerSettings _settings;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly LocalHostOptions _options;
    private readonly ILogger _logger;
    private bool _queuesCreated;

    public QueueTriggerListener(
        BoundFunction function, QueueClient queue, QueueClient poison, QueueTriggerSettings settings,
        IServiceScopeFactory scopes, TimeProvider time, LocalHostOptions options, ILogger logger)
    {
        _function = function;
        _queue = queue;
        _poison = poison;
        _settings = settings;
        _scopes = scopes;
        _time = time;
        _options = options;
        _logger = logger;
    }

    public string FunctionName => _function.Name;

    public string QueueName => _queue.Name;

    public string PoisonQueueName => _poison.Name;

    private int BatchSize => Math.Clamp(_settings.BatchSize, 1, 32);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        var wait = _options.MinPollingInterval;
        var max = _settings.MaxPollingInterval > TimeSpan.Zero ? _settings.MaxPollingInterval : TimeSpan.FromMinutes(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            if (running.Count > Math.Max(0, _settings.NewBatchThreshold))
            {
                // Like the host: the next batch is fetched once the running ones drop to newBatchThreshold.
                await Task.WhenAny(running);
                continue;
            }

            QueueMessage[] messages;
            try
            {
                messages = await ReceiveAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogPollFailed(_logger, ex, _queue.Name);
                messages = [];
            }

            running.AddRange(messages.Select(m => ProcessAsync(m, cancellationToken)));

            // Poll again at once while there is work; back off exponentially, up to maxPollingInterval, when idle.
            wait = messages.Length > 0 ? _options.MinPollingInterval : TimeSpan.FromTicks(Math.Min(max.Ticks, wait.Ticks * 2));
            if (messages.Length == 0)
            {
                try
                {
                    var idle = Task.Delay(wait, _time, cancellationToken);
                    await (running.Count > 0 ? Task.WhenAny(idle, Task.WhenAny(running)) : idle);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await Task.WhenAll(running);
    }

    /// <summary>Receives one batch and processes it to the end; returns how many messages it handled (tests drive the queue with this).</summary>
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
            await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await _poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _queuesCreated = true;
        }

        return (await _queue.ReceiveMessagesAsync(BatchSize, _options.MessageLease, cancellationToken)).Value;
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (!TryDecode(message, out var text))
            {
                LogUndecodable(_logger, _queue.Name, message.MessageId);
                await MoveToPoisonAsync(message, cancellationToken);
                return;
            }

            bool succeeded;
            try
            {
                await using var scope = _scopes.CreateAsyncScope();
                await _function.InvokeAsync(scope.ServiceProvider, new TriggerInput { QueueMessage = text }, cancellationToken);
                succeeded = true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // shutting down: the message becomes visible again when its lease ends
            }
            catch (Exception ex)
            {
                LogFunctionFailed(_logger, ex, _function.Name, message.DequeueCount, _settings.MaxDequeueCount);
                succeeded = false;
            }

            if (succeeded)
            {
                await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
            else if (message.DequeueCount >= _settings.MaxDequeueCount)
            {
                LogMovedToPoison(_logger, _function.Name, message.MessageId, message.DequeueCount, _poison.Name);
                await MoveToPoisonAsync(message, cancellationToken);
            }
            else
            {
                await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _settings.VisibilityTimeout, cancellationToken: cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Deleting or releasing failed (lease lost, storage down): the message comes back when its lease ends.
            LogSettleFailed(_logger, ex, _queue.Name, message.MessageId);
        }
    }

    private bool TryDecode(QueueMessage message, out string text)
    {
        var raw = message.Body.ToString();
        if (!string.Equals(_settings.MessageEncoding, "base64", StringComparison.OrdinalIgnoreCase))
        {
            text = raw;
            return true;
        }

        text = string.Empty;
        var buffer = new byte[raw.Length];
        if (!Convert.TryFromBase64String(raw, buffer, out var written))
        {
            return false;
        }

        try
        {
            text = new UTF8Encoding(false, true).GetString(buffer, 0, written);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    // The message goes to the poison queue as it came (same encoded body), then leaves the queue.
    private async Task MoveToPoisonAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        await _poison.SendMessageAsync(message.Body.ToString(), cancellationToken: cancellationToken);
        await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue {QueueName} failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string queueName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} on {QueueName} is not valid base64 UTF-8; moved to the poison queue")]
    private static partial void LogUndecodable(ILogger logger, string queueName, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FunctionName} failed on attempt {DequeueCount} of {MaxDequeueCount}")]
    private static partial void LogFunctionFailed(ILogger logger, Exception exception, string functionName, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FunctionName}: message {MessageId} failed {DequeueCount} times; moved to {PoisonQueue}")]
    private static partial void LogMovedToPoison(ILogger logger, string functionName, string messageId, long dequeueCount, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settling message {MessageId} on {QueueName} failed; it becomes visible again when its lease ends")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string queueName, string messageId);
}
