using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;

namespace VroegSignalering.LocalHost;

/// <summary>What a trigger hands to one invocation.</summary>
public sealed record TriggerInput
{
    public HttpContext? Http { get; init; }

    /// <summary>A queue message's text, decoded per host.json messageEncoding.</summary>
    public string? QueueMessage { get; init; }

    public TimerInfo? Timer { get; init; }
}

/// <summary>
/// Calls a function method in-process, as the worker does: a new instance per invocation from the
/// invocation's service scope (ActivatorUtilities, constructor injection), parameters bound from the
/// trigger, the route and the cancellation token. Binding is checked once, at start, so a function this
/// host cannot call fails the start and not the first message.
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
        var returns = method.ReturnType;
        if (returns != typeof(void) && returns != typeof(Task) && returns != typeof(ValueTask)
            && !(returns.IsGenericType && returns.GetGenericTypeDefinition() is var g && (g == typeof(Task<>) || g == typeof(ValueTask<>)))
            && !IsResultType(returns))
        {
            throw new NotSupportedException($"{function.Name}: the local host cannot handle the return type {returns.Name}");
        }

        _unwrap = Unwrapper(returns);
    }

    public LocalFunction Function { get; }

    public string Name => Function.Name;

    /// <summary>Invokes the function; returns what it returned (awaited). Its exceptions propagate.</summary>
    public async Task<object?> InvokeAsync(IServiceProvider services, TriggerInput input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var instance = _factory?.Invoke(services, null);
        try
        {
            var args = _arguments.Select(a => a(input, cancellationToken)).ToArray();
            var returned = Function.Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, args, null);
            var result = await _unwrap(returned);
            LogInvoked(_logger, Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <summary>Writes what an HTTP function returned as the worker's ASP.NET Core integration does.</summary>
    public static async Task WriteHttpResultAsync(object? result, HttpContext context)
    {
        switch (result)
        {
            case IResult r:
                await r.ExecuteAsync(context);
                break;
            case IActionResult a:
                await a.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                break;
        }
    }

    private static bool IsResultType(Type type) => typeof(IResult).IsAssignableFrom(type) || typeof(IActionResult).IsAssignableFrom(type);

    // Awaits what the method returned, by its declared return type (the runtime type of an async method's
    // task is a subclass of Task<T>), and yields the value inside, if any.
    private static Func<object?, Task<object?>> Unwrapper(Type returns)
    {
        if (returns == typeof(Task))
        {
            return async r => { await (Task)r!; return null; };
        }

        if (returns == typeof(ValueTask))
        {
            return async r => { await (ValueTask)r!; return null; };
        }

        if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var result = returns.GetProperty(nameof(Task<int>.Result))!;
            return async r => { await (Task)r!; return result.GetValue(r); };
        }

        if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            var asTask = returns.GetMethod(nameof(ValueTask<int>.AsTask))!;
            var result = asTask.ReturnType.GetProperty(nameof(Task<int>.Result))!;
            return async r =>
            {
                var task = (Task)asTask.Invoke(r, null)!;
                await task;
                return result.GetValue(task);
            };
        }

        return r => Task.FromResult(r);
    }

    private static Func<TriggerInput, CancellationToken, object?> Bind(LocalFunction function, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        var trigger = function.Trigger;
        if (type == typeof(CancellationToken))
        {
            return (_, ct) => ct;
        }

        if (type == typeof(HttpRequest) && trigger.Is("httpTrigger"))
        {
            return (input, _) => input.Http!.Request;
        }

        if (type == typeof(HttpContext) && trigger.Is("httpTrigger"))
        {
            return (input, _) => input.Http;
        }

        if (parameter.Name == trigger.Name)
        {
            if (trigger.Is("queueTrigger") && type == typeof(string))
            {
                return (input, _) => input.QueueMessage;
            }

            if (trigger.Is("queueTrigger") && type == typeof(BinaryData))
            {
                return (input, _) => input.QueueMessage is null ? null : BinaryData.FromString(input.QueueMessage);
            }

            if (trigger.Is("timerTrigger") && type == typeof(TimerInfo))
            {
                return (input, _) => input.Timer;
            }
        }

        if (trigger.Is("httpTrigger") && type == typeof(string))
        {
            // Like the worker's binding data: route values, then the query string.
            var name = parameter.Name!;
            return (input, _) => input.Http!.GetRouteValue(name) as string ?? input.Http!.Request.Query[name].FirstOrDefault();
        }

        throw new NotSupportedException(
            $"{function.Name}: the local host cannot bind parameter '{parameter.Name}' ({type.Name}) of a {trigger.Type}; " +
            "it binds HttpRequest, route values, the queue message as string or BinaryData, TimerInfo and CancellationToken");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Executed {FunctionName} in {ElapsedMs:F1} ms")]
    private static partial void LogInvoked(ILogger logger, string functionName, double elapsedMs);
}
