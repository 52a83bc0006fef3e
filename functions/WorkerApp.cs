using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;

namespace VroegSignalering.Functions;

/// <summary>The worker as the Functions host runs it in Azure.</summary>
public static class WorkerApp
{
    /// <summary>
    /// The worker's builder: the ASP.NET Core integration for the HTTP functions, the app's services
    /// (<see cref="FunctionsRegistration.AddVroegFunctions"/>, which the local host registers too) and the
    /// worker's own OpenTelemetry instrumentation. Command-line arguments are configuration, as for any host.
    /// </summary>
    public static FunctionsApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.AddVroegFunctions();
        builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
        return builder;
    }
}
