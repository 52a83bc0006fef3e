using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VroegSignalering.Azure.ServiceBus;

// Opens a PeekLock receiver on the dead-letter sub-queue of one of the topic's subscriptions. A seam:
// tests register their own in place of the client's.
internal delegate ServiceBusReceiver OpenDeadLetterReceiver(string subscription);

internal static class ServiceBusServiceCollectionExtensions
{
    // Registers one ServiceBusClient (through Microsoft.Extensions.Azure), the topic's ServiceBusSender,
    // ServiceBusTransport (as itself: which transport dispatch uses is decided elsewhere), the dead-letter
    // reader, and the options from Dispatch:ServiceBus validated on start. Nothing connects here: the SDK
    // creates its connection on the first send or receive.
    internal static IServiceCollection AddServiceBusTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServiceBusTransportOptions>()
            .Bind(configuration.GetSection(ServiceBusTransportOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceBusTransportOptions>, ServiceBusTransportOptionsValidator>());
        services.AddMetrics();

        // AddAzureClients registers a NullLoggerFactory unless a logger factory is already there.
        services.AddLogging();
        services.AddAzureClients(clients => clients
            .AddClient<ServiceBusClient, ServiceBusClientOptions>((clientOptions, credential, sp) =>
            {
                var options = OptionsOf(sp);
                return string.IsNullOrWhiteSpace(options.ConnectionString)
                    ? new ServiceBusClient(options.FullyQualifiedNamespace!.Trim(), credential, clientOptions)
                    : new ServiceBusClient(options.ConnectionString, clientOptions);
            })
            .WithCredential(sp => CreateCredential(OptionsOf(sp).ClientId))
            .ConfigureOptions((clientOptions, sp) => clientOptions.RetryOptions = RetryOptions(OptionsOf(sp).Retry)));

        services.TryAddSingleton(sp => sp.GetRequiredService<ServiceBusClient>().CreateSender(OptionsOf(sp).TopicName));
        services.TryAddSingleton(sp => new ServiceBusTransport(
            sp.GetRequiredService<ServiceBusSender>(),
            OptionsOf(sp),
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<ILogger<ServiceBusTransport>>()));
        services.TryAddSingleton<OpenDeadLetterReceiver>(sp =>
        {
            var client = sp.GetRequiredService<ServiceBusClient>();
            var topic = OptionsOf(sp).TopicName;

            // The subscriptions require sessions, their dead-letter queues do not: a plain receiver reads them.
            return subscription => client.CreateReceiver(topic, subscription, new ServiceBusReceiverOptions
            {
                SubQueue = SubQueue.DeadLetter,
                ReceiveMode = ServiceBusReceiveMode.PeekLock,
            });
        });
        services.TryAddSingleton(sp => new ServiceBusDeadLetters(
            sp.GetRequiredService<OpenDeadLetterReceiver>(),
            OptionsOf(sp),
            sp.GetRequiredService<ServiceBusTransport>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }

    internal static TokenCredential CreateCredential(string? clientId) => string.IsNullOrWhiteSpace(clientId)
        ? new DefaultAzureCredential()
        : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));

    internal static ServiceBusRetryOptions RetryOptions(ServiceBusRetrySettings settings) => new()
    {
        Mode = ServiceBusRetryMode.Exponential,
        MaxRetries = settings.MaxRetries,
        Delay = settings.Delay,
        MaxDelay = settings.MaxDelay,
        TryTimeout = settings.TryTimeout,
    };

    // Validated on first use as on start: an invalid setting throws OptionsValidationException naming it.
    private static ServiceBusTransportOptions OptionsOf(IServiceProvider sp) => sp.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value;
}
