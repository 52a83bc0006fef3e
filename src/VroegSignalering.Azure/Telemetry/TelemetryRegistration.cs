using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Azure.Telemetry;

/// <summary>Data classes for log parameters; anything personal is redacted in every sink.</summary>
public static class VroegDataClasses
{
    public const string Taxonomy = "VroegSignalering";

    public static DataClassification PersonalData { get; } = new(Taxonomy, nameof(PersonalData));
}

/// <summary>Marks a log parameter as personal data: it is erased before any logger sees it.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PersonalDataAttribute() : DataClassificationAttribute(VroegDataClasses.PersonalData);

/// <summary>
/// OpenTelemetry traces, metrics and logs. Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set
/// (Entra ID auth with the app's managed identity when APPLICATIONINSIGHTS_AUTHENTICATION_STRING names a
/// client id), OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, the console when Telemetry:Console is true.
/// Personal data never reaches a sink: classified log parameters are erased, trace attributes scrubbed.
/// </summary>
internal static class TelemetryRegistration
{
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section));
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var appInsights = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var otlp = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];

        services.AddRedaction(r => r.SetRedactor<ErasingRedactor>(new DataClassificationSet(VroegDataClasses.PersonalData)));
        services.AddLogging(logging =>
        {
            logging.EnableRedaction();
            logging.AddOpenTelemetry(o =>
            {
                o.IncludeScopes = false;
                o.IncludeFormattedMessage = true;
                if (!string.IsNullOrEmpty(appInsights))
                {
                    o.AddAzureMonitorLogExporter(e => ConfigureAzureMonitor(e, configuration));
                }

                if (!string.IsNullOrEmpty(otlp))
                {
                    o.AddOtlpExporter();
                }
            });
        });

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("vroegsignalering-functions", serviceVersion: typeof(TelemetryRegistration).Assembly.GetName().Version?.ToString()))
            .WithTracing(t =>
            {
                // No ASP.NET Core instrumentation: the Functions host records each invocation as the request (Application Insights `requests`);
                // the worker adding its own server span counted every request twice. The local host, standing in for the host, adds it.
                t.AddSource(VroegTelemetry.Name)
                    .AddHttpClientInstrumentation()
                    .AddProcessor(new ScrubbingActivityProcessor());
                if (!string.IsNullOrEmpty(appInsights))
                {
                    t.AddAzureMonitorTraceExporter(e => ConfigureAzureMonitor(e, configuration));
                }

                if (!string.IsNullOrEmpty(otlp))
                {
                    t.AddOtlpExporter();
                }

                if (options.Console)
                {
                    t.AddConsoleExporter();
                }
            })
            .WithMetrics(m =>
            {
                m.AddMeter(VroegTelemetry.Name);
                if (!string.IsNullOrEmpty(appInsights))
                {
                    m.AddAzureMonitorMetricExporter(e => ConfigureAzureMonitor(e, configuration));
                }

                if (!string.IsNullOrEmpty(otlp))
                {
                    m.AddOtlpExporter();
                }

                if (options.Console)
                {
                    m.AddConsoleExporter();
                }
            });

        services.AddSingleton<IPipelineProbe, StoragePipelineProbe>();
        return services;
    }

    private static void ConfigureAzureMonitor(AzureMonitorExporterOptions exporter, IConfiguration configuration)
    {
        exporter.ConnectionString = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var authentication = configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
        if (authentication?.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase) == true)
        {
            var clientId = authentication.Split(';').Select(p => p.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Trim().Equals("ClientId", StringComparison.OrdinalIgnoreCase))?[1].Trim();
            exporter.Credential = StorageClients.CreateCredential("managedidentity", clientId);
        }
    }
}
