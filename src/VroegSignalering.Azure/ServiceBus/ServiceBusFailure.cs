using Azure.Identity;
using Azure.Messaging.ServiceBus;

namespace VroegSignalering.Azure.ServiceBus;

// What a failed Service Bus call means for the messages it carried. Code is a low-cardinality tag for
// metrics and the first word of Reason (the outbox derives its own metric tag from that word); Reason
// goes into the outbox row, so it names the cause and the fix but never the broker's free text.
internal sealed record ServiceBusFailure(bool Transient, string Code, string Reason)
{
    // Only the caller's cancellation is not a failure; the callers filter it out before classifying.
    public static ServiceBusFailure Classify(Exception exception) => exception switch
    {
        ServiceBusException { Reason: ServiceBusFailureReason.MessageSizeExceeded } =>
            Permanent("MessageSizeExceeded", "Service Bus refused the message as too large for the topic"),
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound } =>
            Permanent("MessagingEntityNotFound", "the topic does not exist; redeploy the infrastructure"),
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityDisabled } =>
            Permanent("MessagingEntityDisabled", "the topic is disabled; enable it"),
        ServiceBusException { Reason: ServiceBusFailureReason.ServiceBusy } =>
            Retryable("ServiceBusy", "Service Bus is throttling; the client's retries ran out"),
        ServiceBusException { Reason: ServiceBusFailureReason.QuotaExceeded } =>
            Retryable("QuotaExceeded", "the topic is full or a namespace quota was reached; consumers must drain their subscriptions"),
        ServiceBusException { Reason: ServiceBusFailureReason.ServiceTimeout } =>
            Retryable("ServiceTimeout", "Service Bus did not answer in time; the client's retries ran out"),
        ServiceBusException { Reason: ServiceBusFailureReason.ServiceCommunicationProblem } =>
            Retryable("ServiceCommunicationProblem", "could not reach Service Bus; the client's retries ran out"),
        ServiceBusException { IsTransient: true } e =>
            Retryable(e.Reason.ToString(), "Service Bus failed transiently; the client's retries ran out"),

        // The SDK says retrying will not help, and the reason is none the transport knows: an operator looks at it.
        ServiceBusException e => Permanent(e.Reason.ToString(), "Service Bus refused the send"),
        UnauthorizedAccessException =>
            Permanent("Unauthorized", "the identity needs Azure Service Bus Data Sender on the topic"),

        // Getting a token failed (managed identity endpoint down, or no identity yet): the next sweep may get one.
        AuthenticationFailedException or CredentialUnavailableException =>
            Retryable("Authentication", $"could not get a token for Service Bus ({exception.GetType().Name})"),
        TimeoutException or OperationCanceledException =>
            Retryable("Timeout", "timed out waiting for Service Bus"),
        _ => Retryable("Error", $"unexpected failure ({exception.GetType().Name})"),
    };

    private static ServiceBusFailure Permanent(string code, string text) => new(false, code, $"{code} ({text})");

    private static ServiceBusFailure Retryable(string code, string text) => new(true, code, $"{code} ({text})");
}
