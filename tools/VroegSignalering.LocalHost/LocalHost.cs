using System.Security.Claims;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using VroegSignalering.Functions;
using VroegSignalering.Functions.Http;

namespace VroegSignalering.LocalHost;

/// <summary>The Functions app on one machine without the Functions host (docs/local-host.md): the same function classes,
/// on the same service registration as functions/Program.cs, driven by their triggers in functions.metadata.</summary>
public sealed class LocalHostProgram
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddLocalFunctionsHost();
        var app = builder.Build();
        app.MapLocalFunctions();
        app.Run();
    }
}

/// <summary>Settings of the local host (section <c>LocalHost</c>; docs/local-host.md).</summary>
public sealed class LocalHostOptions
{
    public string Url { get; set; } = "http://127.0.0.1:7071";

    public bool RunTriggers { get; set; } = true;

    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);
}

public static class LocalHostRegistration
{
    /// <summary>The app's own registration (AddVroegFunctions) plus the stand-in for the Functions host.</summary>
    public static WebApplicationBuilder AddLocalFunctionsHost(this WebApplicationBuilder builder)
    {
        // The app's appsettings.json (queue names, schedules) ranks below every other source: it holds defaults.
        builder.Configuration.Sources.Insert(0, new JsonConfigurationSource { Path = "appsettings.json", Optional = true, FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory) });
        var section = builder.Configuration.GetSection("LocalHost");
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(section[nameof(LocalHostOptions.Url)] ?? new LocalHostOptions().Url);
        }

        builder.AddVroegFunctions();

        // What the Functions host records in Azure: each HTTP invocation as one request (the app itself adds no server span).
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddAspNetCoreInstrumentation(a => a.Filter = c => !c.Request.Path.StartsWithSegments("/api/health")));
        builder.Services.AddOptions<LocalHostOptions>().Bind(section);
        builder.Services.AddSingleton<LocalFunctions>();
        builder.Services.AddHostedService<LocalTriggerRunner>();
        return builder;
    }

    /// <summary>Maps every HTTP function to its route under host.json's routePrefix, for its methods only.</summary>
    public static WebApplication MapLocalFunctions(this WebApplication app)
    {
        // What routing answers on its own (no route 404, wrong method 405) comes with an empty body; every error
        // answer of the app is problem details, so these are too. Answers that already have a body pass untouched.
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var code = context.Response.StatusCode;
            var allow = context.Response.Headers.Allow.ToString();
            var (title, detail) = code switch
            {
                StatusCodes.Status404NotFound => ("Not found", $"No endpoint answers {context.Request.Path}."),
                StatusCodes.Status405MethodNotAllowed => ("Method not allowed", $"{context.Request.Path} does not take {context.Request.Method}" + (allow.Length > 0 ? $"; it takes {allow}." : ".")),
                _ => (Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code), "The request was refused."),
            };
            await Problems.Write(context, code, title, detail);
        });

        var functions = app.Services.GetRequiredService<LocalFunctions>();
        foreach (var function in functions.Http)
        {
            var trigger = function.Function.Trigger;
            var route = string.Join('/', new[] { functions.Catalog.Host.RoutePrefix, trigger.Text("route") ?? function.Name }.Select(p => p.Trim('/')).Where(p => p.Length > 0));
            var methods = trigger.TextList("methods").Select(m => m.ToUpperInvariant()).DefaultIfEmpty("GET").ToArray();
            app.MapMethods("/" + route, methods, async context =>
            {
                // WebApplication authenticates every request on its own; the worker does not, so the function starts anonymous, as in Azure.
                context.User = new ClaimsPrincipal(new ClaimsIdentity());
                await BoundFunction.WriteHttpResultAsync(await function.InvokeAsync(context.RequestServices, new TriggerInput(Http: context), context.RequestAborted), context);
            }).WithDisplayName(function.Name);
        }

        return app;
    }
}

/// <summary>Runs every queue and timer listener until the host stops (registered after the server, so it starts once the server listens).</summary>
public sealed class LocalTriggerRunner(LocalFunctions functions, IOptions<LocalHostOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => options.Value.RunTriggers
        ? Task.WhenAll(functions.Timers.Select(t => t.RunAsync(stoppingToken)).Concat(functions.Queues.Select(q => q.RunAsync(stoppingToken))))
        : Task.CompletedTask;
}
