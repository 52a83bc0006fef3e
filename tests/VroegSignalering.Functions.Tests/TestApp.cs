using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.LocalHost;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests;

/// <summary>
/// The Functions app on its local host (the function classes in-process, on the app's own service
/// registration) on a test server, against the shared Azurite, with the trigger listeners off: tests
/// move the queues and timers along themselves.
/// </summary>
public sealed class TestApp : WebApplicationFactory<LocalHostProgram>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public TestApp(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        _settings = TestEnvironment.Settings();
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    public IReadOnlyDictionary<string, string?> Settings => _settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
