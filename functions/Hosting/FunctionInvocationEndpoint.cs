using System.Diagnostics;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.Functions.Hosting;

/// <summary>
/// Maps <c>POST /{functionName}</c>, the route the Functions host (and the standalone runner) invokes
/// non-HTTP functions on. Every failure becomes a non-2xx reply so that the host retries the message,
/// moves it to the poison queue, or dead-letters it.
/// </summary>
internal static partial class FunctionInvocationEndpoint
{
    public const string InvocationIdHeader = "X-Azure-Functions-InvocationId";

    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/{functionName}", InvokeAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task InvokeAsync(string functionName, HttpContext context, FunctionCatalog catalog, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("VroegSignalering.Functions.Invocation");
        if (!catalog.TryGet(functionName, out var function))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var invocationId = context.Request.Headers[InvocationIdHeader].FirstOrDefault();
        InvocationResult result;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var request = InvocationRequest.Parse(function.Name, invocationId, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            result = await function.InvokeAsync(request, context.RequestAborted);
        }
        catch (HostPayloadException ex)
        {
            LogUnreadablePayload(logger, function.Name, ex.Message);
            result = InvocationResult.Failure($"unreadable payload: {ex.Message}");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            result = InvocationResult.RetryLater("cancelled");
        }
        catch (Exception ex) when (TransientFailure.IsTransient(ex))
        {
            LogTransientFailure(logger, function.Name, ex.GetType().Name);
            result = InvocationResult.RetryLater($"transient failure ({ex.GetType().Name})");
        }
        catch (Exception ex)
        {
            // Exception messages can carry data from the input; only the type goes to the host's log.
            LogFailure(logger, ex, function.Name);
            result = InvocationResult.Failure($"failed ({ex.GetType().Name})");
        }

        LogInvoked(logger, function.Name, result.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        context.Response.StatusCode = result.StatusCode;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(result.ToJsonBytes(), context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {FunctionName} received an unreadable payload: {Reason}")]
    private static partial void LogUnreadablePayload(ILogger logger, string functionName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {FunctionName} hit a transient failure ({ExceptionType}); the host will retry")]
    private static partial void LogTransientFailure(ILogger logger, string functionName, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {FunctionName} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string functionName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Function {FunctionName} completed with {StatusCode} in {ElapsedMs:F1} ms")]
    private static partial void LogInvoked(ILogger logger, string functionName, int statusCode, double elapsedMs);
}
