using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using VroegSignalering.Benchmarks.Data;
using VroegSignalering.LocalHost;

namespace VroegSignalering.Benchmarks.EndToEnd;

/// <summary>
/// The Functions app on its local host (tools/VroegSignalering.LocalHost: the function classes in-process on
/// the app's own service registration) in this process on Kestrel at a free loopback port, so creditors'
/// POSTs travel over real HTTP. The trigger listeners are off: the benchmark drives ProcessSignals itself.
/// </summary>
internal sealed class FunctionsApp : WebApplicationFactory<LocalHostProgram>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private FunctionsApp(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>
    /// The settings of ./run.sh (local creditors, the synthetic CBS address file, local-topic dispatch, the
    /// raised intake rate limit), with fresh random keys and a table/queue prefix of this run only.
    /// </summary>
    public static Dictionary<string, string?> Settings(string connectionString, string prefix) => new(StringComparer.Ordinal)
    {
        ["AzureWebJobsStorage"] = connectionString,
        ["LocalHost:RunTriggers"] = "false",
        ["Storage:TablePrefix"] = prefix,
        ["SignalsIntakeQueue"] = prefix + "-intake",
        ["DispatchQueue"] = prefix + "-dispatch",
        ["Dispatch:Transport"] = "Local",
        ["Keys:Encryption:ActiveKeyId"] = "bench",
        ["Keys:Encryption:Keys:bench"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Keys:Hmac:ActiveKeyId"] = "bench",
        ["Keys:Hmac:Keys:bench"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Creditors:Source"] = "File",
        ["Creditors:File"] = Repository.CreditorsFile,
        ["AddressRegistry:Source"] = "CbsFile",
        ["AddressRegistry:CbsFile"] = Repository.AddressFile,
        ["Intake:RequestsPerMinute"] = "6000",
        ["Intake:RequestBurst"] = "1000",
        ["Triage:Default:SettleSeconds"] = "3",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    public static FunctionsApp Start(IReadOnlyDictionary<string, string?> settings)
    {
        var app = new FunctionsApp(settings);
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address");
        app.BaseAddress = new Uri(address);
        return app;
    }

    public string EnvironmentName => Services.GetRequiredService<IHostEnvironment>().EnvironmentName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // WebApplicationFactory defaults to Development, which validates DI scopes on every resolution;
        // production behaviour is what is measured.
        builder.UseEnvironment(Environments.Production);

        // WebApplicationFactory looks for its manifest in the current folder, which is the repository root
        // under `dotnet run --project`; name the app's folder (appsettings.json) directly instead.
        builder.UseContentRoot(Path.Combine(Repository.Root, "functions"));
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // stdout is the benchmark's report; the app's log lines go to stderr with the progress.
        builder.ConfigureServices(services => services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
    }
}
