using Microsoft.Extensions.Options;
using VroegSignalering.Azure;
using VroegSignalering.Core;
using VroegSignalering.Functions.Health;
using VroegSignalering.Functions.Hosting;
using VroegSignalering.Functions.Hosting.Standalone;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.IngestSignals;
using VroegSignalering.Functions.IntakeStatus;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions;

public static class FunctionsRegistration
{
    /// <summary>Environment variable the Functions host sets when it starts a custom handler.</summary>
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>
    /// Registers the Functions app: under the Functions host it listens on the port the host gives;
    /// otherwise it runs standalone on <c>Standalone:Url</c> and drives its own triggers.
    /// </summary>
    public static WebApplicationBuilder AddVroegFunctions(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var hostPort = configuration[CustomHandlerPortVariable];
        var standalone = configuration.GetSection(StandaloneOptions.Section);
        if (!string.IsNullOrEmpty(hostPort))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{hostPort}");
            configuration[$"{StandaloneOptions.Section}:{nameof(StandaloneOptions.Enabled)}"] = "false";
        }
        else if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(standalone[nameof(StandaloneOptions.Url)] ?? new StandaloneOptions().Url);
        }

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddVroegCore(configuration);
        services.AddVroegAzure(configuration);

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HttpJson.Default));
        services.AddProblemDetails();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "VroegSignalering API";
            document.Info.Description = "Creditors post payment-arrears signals; see docs/api.md for the contract, limits and examples.";
            return Task.CompletedTask;
        }));
        services.AddCreditorAuthentication(configuration);
        services.AddCreditorRateLimiting(configuration);

        services.AddSingleton<IFunction, ProcessSignals.ProcessSignals>();
        services.AddSingleton<IFunction, TriageCases.TriageCases>();
        services.AddSingleton<IFunction, DispatchOutreach.DispatchOutreach>();
        services.AddSingleton<IFunction, SweepOutbox.SweepOutbox>();
        services.AddSingleton<FunctionCatalog>();

        services.AddOptions<StandaloneOptions>().Bind(standalone);
        services.AddHttpClient(StandaloneRunner.HttpClientName, c => c.Timeout = TimeSpan.FromMinutes(10));
        services.AddSingleton<TriggerListenerFactory>();
        services.AddHostedService<StandaloneRunner>();
        return builder;
    }

    public static WebApplication MapVroegFunctions(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        var api = app.MapGroup("/api");
        api.MapHealth();
        api.MapIngestSignals();
        api.MapIntakeStatus();
        app.MapOpenApi("/api/openapi/{documentName}.json");

        // The host probes GET / until the handler answers before it sends invocations.
        app.MapGet("/", () => Results.Ok(new { service = "VroegSignalering", status = "ready" })).ExcludeFromDescription();
        app.MapFunctionInvocations();

        var options = app.Services.GetRequiredService<IOptions<StandaloneOptions>>().Value;
        app.Logger.LogServing(options.Enabled ? "standalone" : "custom handler", string.Join(", ", app.Urls));
        return app;
    }
}

internal static partial class FunctionsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "VroegSignalering Functions app starting in {Mode} mode {Urls}")]
    public static partial void LogServing(this ILogger logger, string mode, string urls);
}
