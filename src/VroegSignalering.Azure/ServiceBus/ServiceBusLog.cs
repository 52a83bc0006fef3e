using Microsoft.Extensions.Logging;

namespace VroegSignalering.Azure.ServiceBus;

// Log events of the Service Bus transport. They carry counts, sizes, reason codes and message ids only:
// bodies and property values contain personal data.
internal static partial class ServiceBusLog
{
    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "Service Bus rejected a batch of {Count} messages permanently: {ReasonCode}")]
    public static partial void BatchFailedPermanently(ILogger logger, int count, string reasonCode);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Service Bus did not take a batch of {Count} messages: {ReasonCode}; left for the next dispatch")]
    public static partial void BatchFailedTransiently(ILogger logger, int count, string reasonCode);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Debug, Message = "Published {Total} messages in {Batches} batches: {Sent} sent, {FailedPermanently} failed permanently, {FailedTransiently} failed transiently")]
    public static partial void Published(ILogger logger, int total, int batches, int sent, int failedPermanently, int failedTransiently);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "{Count} later messages not sent after a transient failure ({ReasonCode}); left for the next dispatch")]
    public static partial void SkippedAfterTransientFailure(ILogger logger, int count, string reasonCode);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Debug, Message = "Service Bus accepted a batch of {Count} messages ({Bytes} bytes)")]
    public static partial void BatchAccepted(ILogger logger, int count, long bytes);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Warning, Message = "Message {MessageId} ({BodyBytes}-byte body) does not fit an empty batch of at most {Limit} bytes; not sent")]
    public static partial void MessageDoesNotFit(ILogger logger, string messageId, int bodyBytes, long limit);

    [LoggerMessage(EventId = 4114, Level = LogLevel.Error, Message = "Message {MessageId} has a {Property} Service Bus does not accept; not sent")]
    public static partial void MessageInvalid(ILogger logger, string messageId, string property);
}
