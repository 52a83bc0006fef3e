using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Functions.Hosting;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests;

/// <summary>The real Functions app on a test server, against the shared Azurite, runner off.</summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public IReadOnlyDictionary<string, string?> Settings => _settings;
    private readonly List<IFunction> _functions;

    private readonly Action<IServiceCollection>? _services;

    public TestApp(IEnumerable<IFunction>? functions = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        _functions = functions?.ToList() ?? [];
        _settings = TestEnvironment.Settings();
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            foreach (var f in _functions)
            {
                services.AddSingleton(f);
            }

            _services?.Invoke(services);
        });
    }
}

/// <summary>A function double that records what the host (or runner) sent it.</summary>
public sealed class RecordingFunction(string name, Func<InvocationRequest, InvocationResult>? behaviour = null) : IFunction
{
    private readonly ConcurrentQueue<InvocationRequest> _calls = new();
    private TaskCompletionSource<InvocationRequest> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public IReadOnlyCollection<InvocationRequest> Calls => _calls;

    public Task<InvocationRequest> NextCall => _next.Task;

    public Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        _calls.Enqueue(request);
        var result = behaviour?.Invoke(request) ?? InvocationResult.Success();
        var completed = Interlocked.Exchange(ref _next, new TaskCompletionSource<InvocationRequest>(TaskCreationOptions.RunContinuationsAsynchronously));
        completed.TrySetResult(request);
        return Task.FromResult(result);
    }
}
