using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace VroegSignalering.LocalHost;

/// <summary>What a trigger hands to one invocation: the HTTP context, the decoded queue message or the timer.</summary>
public sealed record TriggerInput(HttpContext? Http = null, string? QueueMessage = null, TimerInfo? Timer = null);

/// <summary>
/// Calls a function method in-process as the worker does: a new instance per invocation from the
/// invocation's service scope (constructor injection), parameters bound from the trigger, the route and
/// the cancellation token. Binding is checked once, at start, so a function this host cannot call fails
/// the start and not the first message. Exceptions propagate: the trigger decides what a failure means.
/// </summary>
public sealed partial class BoundFunction(LocalFunction function, ILogger logger)
{
    private readonly Func<TriggerInput, CancellationToken, object?>[] _arguments = function.Method.GetParameters().Select(p => Bind(function, p)).ToArray();
    private readonly ObjectFactory? _factory = function.Method.IsStatic ? null : ActivatorUtilities.CreateFactory(function.Method.DeclaringType!, Type.EmptyTypes);
    private readonly Func<object?, Task<object?>> _unwrap = Unwrapper(function.Name, function.Method.ReturnType);

    public LocalFunction Function => function;

    public string Name => Function.Name;

    public async Task<object?> InvokeAsync(IServiceProvider services, TriggerInput input, CancellationToken cancellationToken)
    {
        var args = _arguments.Select(a => a(input, cancellationToken)).ToArray();
        return await _unwrap(Function.Method.Invoke(_factory?.Invoke(services, null), BindingFlags.DoNotWrapExceptions, null, args, null));
    }

    /// <summary>Invokes the function in a service scope of its own, as a queue or timer trigger does; false (logged) when it failed.</summary>
    public async Task<bool> TryInvokeAsync(IServiceScopeFactory scopes, TriggerInput input, string attempt, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await InvokeAsync(scope.ServiceProvider, input, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, Function.Name, attempt);
            return false;
        }
    }

    /// <summary>Writes what an HTTP function returned, as the worker's ASP.NET Core integration does.</summary>
    public static Task WriteHttpResultAsync(object? result, HttpContext context) => result is IResult r ? r.ExecuteAsync(context) : Task.CompletedTask;

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

        return returns == typeof(void) || typeof(IResult).IsAssignableFrom(returns)
            ? r => Task.FromResult(r)
            : throw new NotSupportedException($"{function}: the local host cannot handle the return type {returns.Name} (it takes void, Task, Task<T> and IResult)");
    }

    private static Func<TriggerInput, CancellationToken, object?> Bind(LocalFunction function, ParameterInfo parameter)
    {
        var (type, trigger) = (parameter.ParameterType, function.Trigger);
        return type switch
        {
            _ when type == typeof(CancellationToken) => (_, ct) => ct,
            _ when type == typeof(HttpRequest) && trigger.Is("httpTrigger") => (input, _) => input.Http!.Request,
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FunctionName} failed ({Attempt})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string functionName, string attempt);
}
