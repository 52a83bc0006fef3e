using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Addresses;
using VroegSignalering.Azure.Creditors;
using VroegSignalering.Azure.Health;
using VroegSignalering.Azure.KeyManagement;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Azure.Reporting;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Azure.Telemetry;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Quarantine;
using VroegSignalering.Core.Routing;

namespace VroegSignalering.Azure;

public static class AzureServiceCollectionExtensions
{
    /// <summary>
    /// Registers the adapters behind Core's ports: storage (Tables, Queues), key management, the address
    /// registry (CBS file or PDOK), the creditor registry (file or table), the outreach transport
    /// (Service Bus or the local emulated topic), telemetry (OpenTelemetry with redaction) and the storage health checks.
    /// </summary>
    public static IServiceCollection AddVroegAzure(this IServiceCollection services, IConfiguration configuration)
    {
        // One tally per process, shared with the clients built outside DI (the local host, the CLI); a test may register its own.
        services.TryAddSingleton(StorageRequestTally.Process);
        services.AddSingleton(sp => StorageClients.FromConfiguration(configuration, tally: sp.GetRequiredService<StorageRequestTally>()));
        services.AddSingleton(_ => StorageNames.FromConfiguration(configuration));
        services.AddSingleton<TableSet>();
        services.AddSingleton<QueueSet>();

        services.AddOptions<KeyOptions>().Bind(configuration.GetSection(KeyOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KeyOptions>, KeyOptionsValidator>();
        services.AddSingleton<IPersonalDataProtector, AesGcmProtector>();
        services.AddSingleton<IPseudonymizer, HmacPseudonymizer>();
        services.AddSingleton<QueueMessageCodec>();
        services.AddSingleton<IProtectedDataStore, ProtectedDataStorage>();

        services.AddSingleton<HouseholdTableStore>();
        services.AddSingleton<IHouseholdStore>(sp => sp.GetRequiredService<HouseholdTableStore>());
        services.AddSingleton<VroegSignalering.Core.Escalation.ICasesAwaitingContact>(sp => sp.GetRequiredService<HouseholdTableStore>());
        services.AddSingleton<OutcomeTableStore>();
        services.AddSingleton<VroegSignalering.Core.Outcomes.IOutcomeStore>(sp => sp.GetRequiredService<OutcomeTableStore>());
        services.AddSingleton<FeedbackTableStore>();
        services.AddSingleton<VroegSignalering.Core.Outcomes.IFeedbackStore>(sp => sp.GetRequiredService<FeedbackTableStore>());
        services.AddSingleton<ISignalReferenceStore, SignalReferenceTableStore>();
        services.AddSingleton<ReceiptTableStore>();
        services.AddSingleton<IReceiptStore>(sp => sp.GetRequiredService<ReceiptTableStore>());
        services.AddSingleton<QuarantineTableStore>();
        services.AddSingleton<IQuarantineStore>(sp => sp.GetRequiredService<QuarantineTableStore>());
        services.AddSingleton<ChangeFeedTable>();
        services.AddSingleton<IHouseholdChangeFeed>(sp => sp.GetRequiredService<ChangeFeedTable>());
        services.AddSingleton<OutboxIndexTable>();
        services.AddSingleton<IOutboxIndex>(sp => sp.GetRequiredService<OutboxIndexTable>());
        services.AddSingleton<ISignalQueue, SignalQueue>();
        services.AddSingleton<IDispatchQueue, DispatchQueue>();
        services.AddSingleton<IIntakeBacklog, IntakeBacklogProbe>();
        services.AddSingleton<RunObserver>();
        services.AddSingleton<DeliveryVerifier>();
        services.AddSingleton<DdasExporter>();
        services.AddSingleton<VroegSignalering.Azure.Retention.RetainedAggregateTable>();
        services.AddSingleton<VroegSignalering.Azure.Retention.RetentionPurger>();

        var addresses = configuration.GetSection(AddressRegistryOptions.Section);
        services.AddOptions<AddressRegistryOptions>().Bind(addresses);
        services.AddMemoryCache();
        services.AddHttpClient(PdokAddressRegistry.HttpClientName)
            .AddStandardResilienceHandler(o =>
            {
                var timeout = addresses.GetValue(nameof(AddressRegistryOptions.PdokTimeout), TimeSpan.FromSeconds(10));
                o.AttemptTimeout.Timeout = timeout;
                o.TotalRequestTimeout.Timeout = timeout * 4;
                o.CircuitBreaker.SamplingDuration = timeout * 2 > TimeSpan.FromSeconds(30) ? timeout * 2 : TimeSpan.FromSeconds(30);
                o.Retry.Delay = addresses.GetValue(nameof(AddressRegistryOptions.PdokRetryDelay), TimeSpan.FromSeconds(1));
            });
        services.AddSingleton<CbsFileAddressRegistry>();
        services.AddSingleton<IAddressRegistry>(sp => sp.GetRequiredService<IOptions<AddressRegistryOptions>>().Value switch
        {
            { Source: AddressSource.Pdok } => ActivatorUtilities.CreateInstance<PdokAddressRegistry>(sp),
            { PdokFallback: true } => new FileThenPdokAddressRegistry(sp.GetRequiredService<CbsFileAddressRegistry>(), ActivatorUtilities.CreateInstance<PdokAddressRegistry>(sp)),
            _ => sp.GetRequiredService<CbsFileAddressRegistry>(),
        });
        services.AddSingleton<IGemeenteDirectory, GemeenteDirectory>();
        services.AddSingleton<QuarantineResolutionStore>();
        services.AddSingleton<IQuarantineResolutions>(sp => sp.GetRequiredService<QuarantineResolutionStore>());
        services.AddSingleton<IQuarantineAudit, QuarantineAuditTable>();

        services.AddOptions<CreditorOptions>().Bind(configuration.GetSection(CreditorOptions.Section));
        services.AddSingleton<ICreditorRegistry>(sp => sp.GetRequiredService<IOptions<CreditorOptions>>().Value.Source switch
        {
            CreditorSource.Table => ActivatorUtilities.CreateInstance<TableCreditorRegistry>(sp),
            _ => ActivatorUtilities.CreateInstance<FileCreditorRegistry>(sp),
        });
        services.AddSingleton<TableCreditorRegistry>();

        services.AddSingleton<LocalTopicTransport>();
        services.AddSingleton<LocalTopic>();

        // Anything but ServiceBus uses the stand-in; the retired value StorageQueue is refused by Core's options validation.
        var transport = string.Equals(configuration[OutreachOptions.Section + ":" + nameof(OutreachOptions.Transport)], "ServiceBus", StringComparison.OrdinalIgnoreCase)
            ? TransportKind.ServiceBus
            : TransportKind.Local;
        var localSettings = LocalTransportOptions.From(configuration);
        var local = services.AddOptions<LocalTransportOptions>()
            .Configure(o => o.DuplicateDetectionWindow = localSettings.DuplicateDetectionWindow)
            .Validate(o => localSettings.Errors().Count == 0, string.Join("; ", localSettings.Errors()) is { Length: > 0 } e ? e : "Dispatch:Local is invalid");
        if (transport == TransportKind.Local || localSettings.RetiredSettings.Count > 0)
        {
            local.ValidateOnStart();
        }

        if (transport == TransportKind.ServiceBus)
        {
            services.AddServiceBusTransport(configuration);
        }

        services.AddSingleton<IOutreachTransport>(sp => transport switch
        {
            TransportKind.ServiceBus => sp.GetRequiredService<ServiceBusTransport>(),
            _ => sp.GetRequiredService<LocalTopicTransport>(),
        });

        services.AddTelemetry(configuration);

        // A storage call slower than this counts as down: the host and load balancers need a prompt answer.
        var healthTimeout = configuration.GetValue("Health:TimeoutSeconds", 3.0);
        services.AddHealthChecks()
            .AddCheck<TableStorageHealthCheck>("tables", tags: ["storage"], timeout: TimeSpan.FromSeconds(healthTimeout))
            .AddCheck<QueueStorageHealthCheck>("queues", tags: ["storage"], timeout: TimeSpan.FromSeconds(healthTimeout));
        return services;
    }
}
