using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VroegSignalering.Azure.ServiceBus;

internal static class ServiceBusServiceCollectionExtensions
{
    // Registers ServiceBusRestTransport (as itself: which transport dispatch uses is decided
    // elsewhere), its options from Dispatch:ServiceBus validated on start, and the resilient HttpClient.
    internal static IServiceCollection AddServiceBusTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServiceBusTransportOptions>()
            .Bind(configuration.GetSection(ServiceBusTransportOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceBusTransportOptions>, ServiceBusTransportOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<ServiceBusMetrics>();

        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value;
            return ServiceBusTarget.Resolve(options).Target
                   ?? throw new InvalidOperationException("Dispatch:ServiceBus options passed validation but did not resolve");
        });
        services.TryAddKeyedSingleton<TokenCredential>(ServiceBusRestTransport.CredentialServiceKey, (sp, _) =>
            CreateCredential(sp.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value.ClientId));
        services.TryAddSingleton<ServiceBusAuthorization>(sp =>
        {
            var target = sp.GetRequiredService<ServiceBusTarget>();
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            return target.SharedAccessKey is { } key
                ? new SharedAccessSignatureAuthorization(target.ResourceUri, key, time)
                : new EntraIdAuthorization(sp.GetRequiredKeyedService<TokenCredential>(ServiceBusRestTransport.CredentialServiceKey), time);
        });

        services.AddHttpClient(ServiceBusRestTransport.HttpClientName, client =>
            {
                // The resilience pipeline owns attempt and total timeouts.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddResilienceHandler("servicebus", (builder, context) =>
            {
                var sp = context.ServiceProvider;
                ServiceBusResilience.Configure(
                    builder,
                    sp.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value,
                    sp.GetService<TimeProvider>() ?? TimeProvider.System,
                    sp.GetRequiredService<ILogger<ServiceBusRestTransport>>());
            });

        services.TryAddSingleton(sp => new ServiceBusRestTransport(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<ServiceBusTarget>(),
            sp.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value,
            sp.GetRequiredService<ServiceBusAuthorization>(),
            sp.GetRequiredService<ServiceBusMetrics>(),
            sp.GetRequiredService<ILogger<ServiceBusRestTransport>>()));
        services.TryAddSingleton(sp => new ServiceBusDeadLetters(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<ServiceBusTarget>(),
            sp.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value,
            sp.GetRequiredService<ServiceBusAuthorization>(),
            sp.GetRequiredService<ServiceBusRestTransport>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }

    private static TokenCredential CreateCredential(string? clientId) => string.IsNullOrWhiteSpace(clientId)
        ? new DefaultAzureCredential()
        : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
}

internal sealed class ServiceBusTransportOptionsValidator : IValidateOptions<ServiceBusTransportOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceBusTransportOptions options)
    {
        var (_, errors) = ServiceBusTarget.Resolve(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
