using Azure;
using Polly;

namespace VroegSignalering.Azure.Storage;

/// <summary>Failures worth retrying later rather than counting against a message's delivery budget.</summary>
public static class TransientFailure
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        RequestFailedException { Status: 408 or 429 or 500 or 502 or 503 or 504 } => true,
        RequestFailedException { Status: 0 } => true,
        HttpRequestException => true,
        ExecutionRejectedException => true, // resilience pipeline: timeout rejected, circuit open
        TimeoutException => true,
        AggregateException agg => agg.InnerExceptions.All(IsTransient),
        _ => false,
    };

    /// <summary>
    /// The same, and also a cancellation the caller did not ask for: the SDK reports its own network timeout
    /// as a <see cref="TaskCanceledException"/>, which only the caller's token tells apart from being stopped.
    /// </summary>
    public static bool IsTransient(Exception exception, CancellationToken callerToken) => exception switch
    {
        OperationCanceledException => !callerToken.IsCancellationRequested,
        AggregateException agg => agg.InnerExceptions.All(e => IsTransient(e, callerToken)), // the SDK's "retry failed after N tries"
        _ => IsTransient(exception),
    };
}
