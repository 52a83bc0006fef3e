using Microsoft.Extensions.Logging;

namespace VroegSignalering.Azure.ServiceBus;

// Log events of the Service Bus transport. They carry counts, status codes, attempts and message ids only:
// bodies and property values contain personal data.
internal static partial class ServiceBusLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Debug, Message = "Service Bus accepted a batch of {Count} messages ({Bytes} bytes) with {StatusCode}")]
    public static partial void BatchSent(ILogger logger, int count, int bytes, int statusCode);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Message {MessageId} is {Bytes} bytes serialized, over the {Limit}-byte batch limit; not sent")]
    public static partial void MessageTooLarge(ILogger logger, string messageId, int bytes, int limit);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Service Bus answered {StatusCode} to a batch of {Count} messages as too large; splitting it in halves")]
    public static partial void SplittingBatch(ILogger logger, int statusCode, int count);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Service Bus answered 401 to a batch of {Count} messages; refreshing the token and sending once more")]
    public static partial void RefreshingAfterUnauthorized(ILogger logger, int count);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "Service Bus rejected a batch of {Count} messages permanently: {ReasonCode}")]
    public static partial void BatchFailedPermanently(ILogger logger, int count, string reasonCode);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Service Bus did not take a batch of {Count} messages: {ReasonCode}; left for the next dispatch")]
    public static partial void BatchFailedTransiently(ILogger logger, int count, string reasonCode);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "{Count} later messages not sent after a transient failure ({ReasonCode}); left for the next dispatch")]
    public static partial void SkippedAfterTransientFailure(ILogger logger, int count, string reasonCode);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Service Bus send attempt {Attempt} failed with {Failure}; retrying in {Delay}")]
    public static partial void RetryScheduled(ILogger logger, int attempt, string failure, TimeSpan delay);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Error, Message = "Service Bus circuit opened for {BreakDuration} after repeated failures ({Failure})")]
    public static partial void CircuitOpened(ILogger logger, TimeSpan breakDuration, string failure);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Information, Message = "Service Bus circuit closed again")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Debug, Message = "Published {Total} messages in {Requests} requests: {Sent} sent, {FailedPermanently} failed permanently, {FailedTransiently} failed transiently")]
    public static partial void Published(ILogger logger, int total, int requests, int sent, int failedPermanently, int failedTransiently);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Could not get a Service Bus authorization ({ExceptionType})")]
    public static partial void AuthorizationFailed(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Debug, Message = "Service Bus accepted a batch of {Count} messages ({Bytes} bytes)")]
    public static partial void BatchAccepted(ILogger logger, int count, long bytes);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Warning, Message = "Message {MessageId} ({BodyBytes}-byte body) does not fit an empty batch of at most {Limit} bytes; not sent")]
    public static partial void MessageDoesNotFit(ILogger logger, string messageId, int bodyBytes, long limit);

    [LoggerMessage(EventId = 4114, Level = LogLevel.Error, Message = "Message {MessageId} has a {Property} Service Bus does not accept; not sent")]
    public static partial void MessageInvalid(ILogger logger, string messageId, string property);
}
