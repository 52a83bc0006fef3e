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
}
