using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using VroegSignalering.Functions;

namespace VroegSignalering.LocalHost;

public static partial class LocalHostRegistration
{
    /// <summary>
    /// The app's own service registration (<see cref="FunctionsRegistration.AddVroegFunctions"/>, as in
    /// functions/Program.cs) plus what stands in for the Functions host: the function catalog from
    /// functions.metadata, the trigger listeners and the URL to listen on.
    /// </summary>
    public static WebApplicationBuilder AddLocalFunctionsHost(this WebApplicationBuilder builder)
    {
        // The app's appsettings.json (queue names, schedules) sits in this host's output; it ranks below
        // every other source, as the defaults it is.
        builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });

        var section = builder.Configuration.GetSection(LocalHostOptions.Section);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(section[nameof(LocalHostOptions.Url)] ?? new LocalHostOptions().Url);
        }

        builder.AddVroegFunctions();
        builder.Services.AddOptions<LocalHostOptions>().Bind(section);
        builder.Services.AddSingleton<LocalFunctions>();
        builder.Services.AddHostedService<LocalTriggerRunner>();
        return builder;
    }

    /// <summary>Maps every HTTP function to its route under host.json's routePrefix, with its methods.</summary>
    public static WebApplication MapLocalFunctions(this WebApplication app)
    {
        var functions = app.Services.GetRequiredService<LocalFunctions>();
        var prefix = functions.Catalog.Host.RoutePrefix.Trim('/');
        foreach (var function in functions.Http)
        {
            var trigger = function.Function.Trigger;
            var route = "/" + string.Join('/', new[] { prefix, (trigger.Text("route") ?? function.Name).Trim('/') }.Where(p => p.Length > 0));
            var methods = trigger.TextList("methods").Select(m => m.ToUpperInvariant()).ToArray();
            var endpoint = app.MapMethods(route, methods.Length > 0 ? methods : ["GET", "POST"], async context =>
            {
                var result = await function.InvokeAsync(context.RequestServices, new TriggerInput { Http = context }, context.RequestAborted);
                await BoundFunction.WriteHttpResultAsync(result, context);
            });
            endpoint.WithDisplayName(function.Name);
        }

        var options = app.Services.GetRequiredService<IOptions<LocalHostOptions>>().Value;
        LogServing(app.Logger, functions.Catalog.Functions.Count, options.RunTriggers ? "running" : "off");
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "VroegSignalering local host: {Count} functions, triggers {Triggers}")]
    private static partial void LogServing(ILogger logger, int count, string triggers);
}
