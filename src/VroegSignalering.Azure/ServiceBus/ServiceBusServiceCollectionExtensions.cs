using System.Collections.Concurrent;
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

// Opens a PeekLock receiver on the dead-letter sub-queue of a subscription of a gemeente's topic: a seam tests replace.
internal delegate ServiceBusReceiver OpenDeadLetterReceiver(string topic, string subscription);

// The sender of a gemeente's topic, one per topic for the app's lifetime (the client closes them): a seam tests replace.
internal delegate ServiceBusSender OpenTopicSender(string topic);

internal static class ServiceBusServiceCollectionExtensions
{
    // One ServiceBusClient (through Microsoft.Extensions.Azure), a sender per gemeente topic, the transport (as itself: which transport dispatch uses
    // is decided elsewhere), the dead-letter reader, and the options, validated on start. Nothing connects before the first send or receive.
    internal static IServiceCollection AddServiceBusTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServiceBusTransportOptions>().Bind(configuration.GetSection(ServiceBusTransportOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceBusTransportOptions>, ServiceBusTransportOptionsValidator>());
        services.AddMetrics().AddLogging(); // else AddAzureClients registers a NullLoggerFactory
        services.AddAzureClients(clients => clients
            .AddClient<ServiceBusClient, ServiceBusClientOptions>((clientOptions, credential, sp) => string.IsNullOrWhiteSpace(OptionsOf(sp).ConnectionString)
                ? new ServiceBusClient(OptionsOf(sp).FullyQualifiedNamespace!.Trim(), credential, clientOptions)
                : new ServiceBusClient(OptionsOf(sp).ConnectionString, clientOptions))
            .WithCredential(sp => CreateCredential(OptionsOf(sp).ClientId))
            .ConfigureOptions((clientOptions, sp) => clientOptions.RetryOptions = new ServiceBusRetryOptions
            {
                Mode = ServiceBusRetryMode.Exponential, MaxRetries = OptionsOf(sp).Retry.MaxRetries, Delay = OptionsOf(sp).Retry.Delay,
                MaxDelay = OptionsOf(sp).Retry.MaxDelay, TryTimeout = OptionsOf(sp).Retry.TryTimeout,
            }));

        // The subscriptions require sessions, their dead-letter queues do not: a plain receiver reads them.
        services.TryAddSingleton<OpenDeadLetterReceiver>(sp => (topic, subscription) => sp.GetRequiredService<ServiceBusClient>().CreateReceiver(
            topic, subscription, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter, ReceiveMode = ServiceBusReceiveMode.PeekLock }));
        services.TryAddSingleton<OpenTopicSender>(sp =>
        {
            var senders = new ConcurrentDictionary<string, ServiceBusSender>(StringComparer.Ordinal);
            return topic => senders.GetOrAdd(topic, sp.GetRequiredService<ServiceBusClient>().CreateSender);
        });
        services.TryAddSingleton(sp => new ServiceBusTransport(
            sp.GetRequiredService<OpenTopicSender>(), OptionsOf(sp), sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ILogger<ServiceBusTransport>>()));
        services.TryAddSingleton(sp => new ServiceBusDeadLetters(
            sp.GetRequiredService<OpenDeadLetterReceiver>(), OptionsOf(sp), sp.GetRequiredService<ServiceBusTransport>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }

    internal static TokenCredential CreateCredential(string? clientId) =>
        string.IsNullOrWhiteSpace(clientId) ? new DefaultAzureCredential() : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));

    // Validated on first use as on start: an invalid setting throws OptionsValidationException naming it.
    private static ServiceBusTransportOptions OptionsOf(IServiceProvider sp) => sp.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value;
}
