using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using VroegSignalering.Azure.Messaging;

namespace VroegSignalering.Functions.Hosting.Standalone;

/// <summary>Which host trigger a storage queue stands in for.</summary>
public enum QueueFlavor
{
    /// <summary>A queueTrigger: retried up to maxDequeueCount, then moved to <c>&lt;queue&gt;-poison</c>.</summary>
    StorageQueue,

    /// <summary>A serviceBusTrigger served from a local queue: dead-lettered to <c>&lt;queue&gt;-deadletter</c>.</summary>
    ServiceBus,
}

/// <summary>
/// Polls one storage queue for one function the way the Functions queue trigger does: receives up to
/// batchSize messages, invokes the function for each, deletes on success, makes the message visible
/// again after visibilityTimeout on failure, and moves it aside after the last allowed attempt.
/// </summary>
public sealed partial class QueueTriggerListener
{
    private readonly string _functionName;
    private readonly string _binding;
    private readonly QueueClient _queue;
    private readonly QueueClient _failed;
    private readonly QueueTriggerSettings _settings;
    private readonly int _maxAttempts;
    private readonly QueueFlavor _flavor;
    private readonly IFunctionInvoker _invoker;
    private readonly TimeProvider _time;
    private readonly StandaloneOptions _options;
    private readonly ILogger _logger;
    private bool _queuesCreated;

    public QueueTriggerListener(
        string functionName, string binding, QueueClient queue, QueueClient failed, QueueTriggerSettings settings, int maxAttempts,
        QueueFlavor flavor, IFunctionInvoker invoker, TimeProvider time, StandaloneOptions options, ILogger logger)
    {
        _functionName = functionName;
        _binding = binding;
        _queue = queue;
        _failed = failed;
        _settings = settings;
        _maxAttempts = maxAttempts;
        _flavor = flavor;
        _invoker = invoker;
        _time = time;
        _options = options;
        _logger = logger;
    }

    public string QueueName => _queue.Name;

    public string FailedQueueName => _failed.Name;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var wait = _options.MinPollingInterval;
        var max = _settings.MaxPollingInterval > TimeSpan.Zero ? _settings.MaxPollingInterval : TimeSpan.FromMinutes(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            int handled;
            try
            {
                handled = await PollOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPollFailed(_logger, ex, _queue.Name);
                handled = 0;
            }

            // Like the host: poll again at once while there is work, back off exponentially when idle.
            wait = handled > 0 ? _options.MinPollingInterval : TimeSpan.FromTicks(Math.Min(max.Ticks, wait.Ticks * 2));
            if (handled == 0)
            {
                try
                {
                    await Task.Delay(wait, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Receives one batch and processes it; returns how many messages were handled.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        if (!_queuesCreated)
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await _failed.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _queuesCreated = true;
        }

        var batch = Math.Clamp(_settings.BatchSize, 1, 32);
        QueueMessage[] messages = await _queue.ReceiveMessagesAsync(batch, _options.MessageLease, cancellationToken);
        if (messages.Length == 0)
        {
            return 0;
        }

        await Task.WhenAll(messages.Select(m => ProcessAsync(m, cancellationToken)));
        return messages.Length;
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        if (!TryDecode(message, out var text))
        {
            LogUndecodable(_logger, _queue.Name, message.MessageId);
            await MoveAsideAsync(message, cancellationToken);
            return;
        }

        var now = _time.GetUtcNow();
        var payload = _flavor == QueueFlavor.ServiceBus
            ? HostPayloads.ServiceBusMessage(_functionName, _binding, LocalServiceBusMessage.Parse(text, message.MessageId), message.DequeueCount, message.InsertedOn?.ToUnixTimeMilliseconds() ?? 0, message.InsertedOn, now)
            : HostPayloads.QueueMessage(_functionName, _binding, text, message.MessageId, message.PopReceipt, message.DequeueCount, message.InsertedOn, message.ExpiresOn, message.NextVisibleOn, now);

        InvocationOutcome outcome;
        try
        {
            outcome = await _invoker.InvokeAsync(_functionName, payload, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogInvokeFailed(_logger, ex, _functionName);
            outcome = new InvocationOutcome(0, null);
        }

        if (outcome.Succeeded)
        {
            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            return;
        }

        if (message.DequeueCount >= _maxAttempts)
        {
            LogMovedAside(_logger, _functionName, message.MessageId, message.DequeueCount, _failed.Name);
            await MoveAsideAsync(message, cancellationToken);
            return;
        }

        LogWillRetry(_logger, _functionName, outcome.StatusCode, message.DequeueCount, _maxAttempts);
        await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _settings.VisibilityTimeout, cancellationToken: cancellationToken);
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

    // The message goes aside as it came (same encoded body), then leaves the queue.
    private async Task MoveAsideAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        await _failed.SendMessageAsync(message.Body.ToString(), cancellationToken: cancellationToken);
        await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue {QueueName} failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string queueName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} on {QueueName} is not valid base64 UTF-8; moved aside")]
    private static partial void LogUndecodable(ILogger logger, string queueName, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoking {FunctionName} failed")]
    private static partial void LogInvokeFailed(ILogger logger, Exception exception, string functionName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FunctionName}: message {MessageId} failed {DequeueCount} times; moved to {FailedQueue}")]
    private static partial void LogMovedAside(ILogger logger, string functionName, string messageId, long dequeueCount, string failedQueue);

    [LoggerMessage(Level = LogLevel.Information, Message = "{FunctionName} returned {StatusCode} (attempt {DequeueCount} of {MaxAttempts}); the message becomes visible again")]
    private static partial void LogWillRetry(ILogger logger, string functionName, int statusCode, long dequeueCount, int maxAttempts);
}
