using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;

namespace VroegSignalering.LocalHost;

/// <summary>What a trigger hands to one invocation: the HTTP context, the decoded queue message or the timer.</summary>
public sealed record TriggerInput
{
    public HttpContext? Http { get; init; }

    public string? QueueMessage { get; init; }

    public TimerInfo? Timer { get; init; }
}

/// <summary>
/// Calls a function method in-process as the worker does: a new instance per invocation from the
/// invocation's service scope (constructor injection), parameters bound from the trigger, the route and
/// the cancellation token. Binding is checked once, at start, so a function this host cannot call fails
/// the start and not the first message. Exceptions propagate: the trigger decides what a failure means.
/// </summary>
public sealed partial class BoundFunction
{
    private readonly Func<TriggerInput, CancellationToken, object?>[] _arguments;
    private readonly ObjectFactory? _factory;
    private readonly Func<object?, Task<object?>> _unwrap;
    private readonly ILogger _logger;

    public BoundFunction(LocalFunction function, ILogger logger)
    {
        Function = function;
        _logger = logger;
        var method = function.Method;
        _factory = method.IsStatic ? null : ActivatorUtilities.CreateFactory(method.DeclaringType!, Type.EmptyTypes);
        _arguments = method.GetParameters().Select(p => Bind(function, p)).ToArray();
        _unwrap = Unwrapper(function.Name, method.ReturnType);
    }

    public LocalFunction Function { get; }

    public string Name => Function.Name;

    public async Task<object?> InvokeAsync(IServiceProvider services, TriggerInput input, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var args = _arguments.Select(a => a(input, cancellationToken)).ToArray();
        var result = await _unwrap(Function.Method.Invoke(_factory?.Invoke(services, null), BindingFlags.DoNotWrapExceptions, null, args, null));
        LogInvoked(_logger, Name, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    /// <summary>Writes what an HTTP function returned, as the worker's ASP.NET Core integration does.</summary>
    public static Task WriteHttpResultAsync(object? result, HttpContext context) => result switch
    {
        IResult r => r.ExecuteAsync(context),
        IActionResult a => a.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor())),
        _ => Task.CompletedTask,
    };

    // Awaits what the method returned by its declared type (an async method's task is a subclass of Task<T>).
    private static Func<object?, Task<object?>> Unwrapper(string function, Type returns)
    {
        if (returns == typeof(Task))
        {
            return async r => { await (Task)r!; return null; };
        }

        if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var result = returns.GetProperty(nameof(Task<int>.Result))!;
            return async r => { await (Task)r!; return result.GetValue(r); };
        }

        return returns == typeof(void) || typeof(IResult).IsAssignableFrom(returns) || typeof(IActionResult).IsAssignableFrom(returns)
            ? r => Task.FromResult(r)
            : throw new NotSupportedException($"{function}: the local host cannot handle the return type {returns.Name} (it takes void, Task, Task<T> and results)");
    }

    private static Func<TriggerInput, CancellationToken, object?> Bind(LocalFunction function, ParameterInfo parameter)
    {
        var (type, trigger) = (parameter.ParameterType, function.Trigger);
        return type switch
        {
            _ when type == typeof(CancellationToken) => (_, ct) => ct,
            _ when type == typeof(HttpRequest) && trigger.Is("httpTrigger") => (input, _) => input.Http!.Request,
            _ when type == typeof(HttpContext) && trigger.Is("httpTrigger") => (input, _) => input.Http,
            _ when type == typeof(string) && parameter.Name == trigger.Name && trigger.Is("queueTrigger") => (input, _) => input.QueueMessage,
            _ when type == typeof(TimerInfo) && parameter.Name == trigger.Name && trigger.Is("timerTrigger") => (input, _) => input.Timer,

            // Like the worker's binding data: route values, then the query string.
            _ when type == typeof(string) && trigger.Is("httpTrigger") => (input, _) =>
                input.Http!.GetRouteValue(parameter.Name!) as string ?? input.Http!.Request.Query[parameter.Name!].FirstOrDefault(),
            _ => throw new NotSupportedException(
                $"{function.Name}: the local host cannot bind parameter '{parameter.Name}' ({type.Name}) of a {trigger.Type}; " +
                "it binds HttpRequest, route values, the queue message as string, TimerInfo and CancellationToken"),
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Executed {FunctionName} in {ElapsedMs:F1} ms")]
    private static partial void LogInvoked(ILogger logger, string functionName, double elapsedMs);
}
