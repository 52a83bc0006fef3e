using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.ServiceBus;

namespace VroegSignalering.Azure.Tests.ServiceBus;

public class ServiceBusTransportOptionsTests
{
    private const string Namespace = "vroeg-ns.servicebus.windows.net";
    private const string ConnectionString = $"Endpoint=sb://{Namespace}/;SharedAccessKeyName=dispatch-send;SharedAccessKey=c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==";

    // ---- Validation ----

    [Theory]
    [InlineData("FullyQualifiedNamespace", Namespace)]
    [InlineData("ConnectionString", ConnectionString)]
    [InlineData("ConnectionString", $"Endpoint=sb://{Namespace}/;SharedAccessSignature=SharedAccessSignature sr=x&sig=y&se=1&skn=z")]
    public void A_namespace_or_a_connection_string_alone_is_a_complete_configuration(string setting, string value)
    {
        Assert.Empty(ServiceBusTransportOptionsValidator.Errors(Bind(new() { [setting] = value })));
    }

    [Fact]
    public void Missing_settings_name_both_ways_to_configure_the_transport()
    {
        var error = Assert.Single(ServiceBusTransportOptionsValidator.Errors(new ServiceBusTransportOptions()));

        Assert.Contains("Dispatch:ServiceBus:FullyQualifiedNamespace", error, StringComparison.Ordinal);
        Assert.Contains("Dispatch:ServiceBus:ConnectionString", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Endpoint=sb://vroeg-ns.servicebus.windows.net/;SharedAccessKeyName=send", "SharedAccessKeyName and SharedAccessKey")]
    [InlineData("Endpoint=sb://vroeg-ns.servicebus.windows.net/;SharedAccessKey=s3cr3t-value=", "SharedAccessKeyName and SharedAccessKey")]
    [InlineData("SharedAccessKeyName=send;SharedAccessKey=s3cr3t-value=", "Endpoint=sb://")]
    [InlineData("not a connection string", "malformed")]
    public void A_broken_connection_string_is_explained_without_echoing_the_key(string connectionString, string expected)
    {
        var errors = ServiceBusTransportOptionsValidator.Errors(new ServiceBusTransportOptions { ConnectionString = connectionString });

        Assert.Contains(errors, e => e.Contains("Dispatch:ServiceBus:ConnectionString", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain("s3cr3t", e, StringComparison.Ordinal));
    }

    [Fact]
    public void A_namespace_that_contradicts_the_connection_string_is_rejected()
    {
        var errors = ServiceBusTransportOptionsValidator.Errors(new ServiceBusTransportOptions
        {
            FullyQualifiedNamespace = "other-ns.servicebus.windows.net",
            ConnectionString = ConnectionString,
        });

        Assert.Contains(errors, e => e.Contains("differs from the connection string", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sb://vroeg-ns.servicebus.windows.net/")]
    [InlineData("vroeg-ns.servicebus.windows.net/outreach-gm0363")]
    public void A_namespace_with_a_scheme_or_path_is_rejected(string fqns)
    {
        var error = Assert.Single(ServiceBusTransportOptionsValidator.Errors(new ServiceBusTransportOptions { FullyQualifiedNamespace = fqns }));

        Assert.StartsWith("Dispatch:ServiceBus:FullyQualifiedNamespace must be a host name", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_scoped_to_one_entity_is_rejected_because_each_gemeente_has_its_own_topic()
    {
        var error = Assert.Single(ServiceBusTransportOptionsValidator.Errors(new ServiceBusTransportOptions { ConnectionString = ConnectionString + ";EntityPath=outreach-gm0363" }));

        Assert.Equal("Dispatch:ServiceBus:ConnectionString is scoped to entity 'outreach-gm0363', but the app sends to one topic per gemeente: use a namespace-level connection string (no EntityPath)", error);
    }

    [Theory]
    [InlineData("MaxBatchMessages", "101", "MaxBatchMessages")]
    [InlineData("MaxBatchMessages", "0", "MaxBatchMessages")]
    [InlineData("DuplicateDetectionWindow", "00:00:10", "DuplicateDetectionWindow")]
    [InlineData("DuplicateDetectionWindow", "8.00:00:00", "DuplicateDetectionWindow")]
    [InlineData("Retry:MaxRetries", "-1", "Retry:MaxRetries")]
    [InlineData("Retry:MaxRetries", "101", "Retry:MaxRetries")]
    [InlineData("Retry:Delay", "00:00:00", "Retry:Delay")]
    [InlineData("Retry:Delay", "00:06:00", "Retry:Delay")]
    [InlineData("Retry:MaxDelay", "00:00:00.500", "Retry:MaxDelay")]
    [InlineData("Retry:TryTimeout", "00:00:00", "Retry:TryTimeout")]
    [InlineData("Retry:TryTimeout", "02:00:00", "Retry:TryTimeout")]
    [InlineData("TopicPrefix", " / ", "TopicPrefix")]
    [InlineData("TopicPrefix", "outreach gm", "TopicPrefix")]
    [InlineData("Subscription", "a/b", "Subscription")]
    public void Settings_outside_what_the_broker_or_the_sdk_accept_are_rejected_by_name(string setting, string value, string named)
    {
        var errors = ServiceBusTransportOptionsValidator.Errors(Bind(new() { ["FullyQualifiedNamespace"] = Namespace, [setting] = value }));

        Assert.Contains(errors, e => e.StartsWith("Dispatch:ServiceBus:" + named + " ", StringComparison.Ordinal));
    }

    [Fact]
    public void Settings_bind_from_the_dispatch_service_bus_section()
    {
        var options = Bind(new()
        {
            ["FullyQualifiedNamespace"] = Namespace,
            ["TopicPrefix"] = "test-gm",
            ["Subscription"] = "team",
            ["ClientId"] = "00000000-0000-0000-0000-000000000001",
            ["DuplicateDetectionWindow"] = "02:00:00",
            ["Retry:MaxRetries"] = "6",
            ["Retry:Delay"] = "00:00:02",
            ["Retry:MaxDelay"] = "00:01:00",
            ["Retry:TryTimeout"] = "00:00:45",
        });

        Assert.Equal(("test-gm0363", "team"), (options.TopicFor("0363"), options.Subscription));
        Assert.Equal("00000000-0000-0000-0000-000000000001", options.ClientId);
        Assert.Equal(TimeSpan.FromHours(2), options.DuplicateDetectionWindow);
        Assert.Equal(100, options.MaxBatchMessages);
        Assert.Equal((6, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(45)),
            (options.Retry.MaxRetries, options.Retry.Delay, options.Retry.MaxDelay, options.Retry.TryTimeout));
        Assert.Empty(ServiceBusTransportOptionsValidator.Errors(options));
    }

    [Fact]
    public async Task An_unconfigured_transport_stops_the_host_from_starting()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddServiceBusTransport(builder.Configuration);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Dispatch:ServiceBus is not configured", ex.Message, StringComparison.Ordinal);
    }

    // ---- Registration ----

    [Fact]
    public async Task With_a_namespace_and_client_id_the_transport_resolves_on_one_client_without_connecting()
    {
        await using var provider = Provider(new()
        {
            ["FullyQualifiedNamespace"] = "vroeg-test.servicebus.windows.net",
            ["ClientId"] = "00000000-0000-0000-0000-000000000001",
        });

        Assert.NotNull(provider.GetRequiredService<ServiceBusTransport>());
        var client = provider.GetRequiredService<ServiceBusClient>();
        var sender = provider.GetRequiredService<OpenTopicSender>()("outreach-gm0363");
        Assert.Equal("vroeg-test.servicebus.windows.net", client.FullyQualifiedNamespace);
        Assert.Equal("outreach-gm0363", sender.EntityPath);
        Assert.Same(sender, provider.GetRequiredService<OpenTopicSender>()("outreach-gm0363"));
        Assert.Equal("outreach-gm0599", provider.GetRequiredService<OpenTopicSender>()("outreach-gm0599").EntityPath);
        Assert.Equal("vroeg-test.servicebus.windows.net", sender.FullyQualifiedNamespace);
        Assert.False(client.IsClosed);
        Assert.Same(client, provider.GetRequiredService<ServiceBusClient>());
    }

    [Fact]
    public async Task With_a_connection_string_the_client_uses_its_namespace()
    {
        await using var provider = Provider(new() { ["ConnectionString"] = ConnectionString, ["TopicPrefix"] = "test-gm" });

        Assert.NotNull(provider.GetRequiredService<ServiceBusTransport>());
        Assert.Equal(Namespace, provider.GetRequiredService<ServiceBusClient>().FullyQualifiedNamespace);
        Assert.Equal("test-gm0363", provider.GetRequiredService<OpenTopicSender>()(provider.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value.TopicFor("0363")).EntityPath);
    }

    [Fact]
    public void A_client_id_selects_that_user_assigned_managed_identity_and_none_selects_the_default_credential()
    {
        Assert.IsType<ManagedIdentityCredential>(ServiceBusServiceCollectionExtensions.CreateCredential("00000000-0000-0000-0000-000000000001"));
        Assert.IsType<DefaultAzureCredential>(ServiceBusServiceCollectionExtensions.CreateCredential(null));
    }

    [Fact]
    public async Task Retry_settings_become_the_clients_exponential_retry_options()
    {
        await using var provider = Provider(new()
        {
            ["FullyQualifiedNamespace"] = Namespace,
            ["Retry:MaxRetries"] = "6",
            ["Retry:Delay"] = "00:00:02",
            ["Retry:MaxDelay"] = "00:01:00",
            ["Retry:TryTimeout"] = "00:00:45",
        });

        // The options Microsoft.Extensions.Azure hands the client factory.
        var retry = provider.GetRequiredService<IOptionsMonitor<ServiceBusClientOptions>>().Get("Default").RetryOptions;

        Assert.Equal(ServiceBusRetryMode.Exponential, retry.Mode);
        Assert.Equal((6, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(45)), (retry.MaxRetries, retry.Delay, retry.MaxDelay, retry.TryTimeout));
    }

    [Fact]
    public async Task The_dead_letter_receiver_reads_the_gemeentes_subscription_dead_letter_queue_in_peek_lock_mode()
    {
        await using var provider = Provider(new() { ["FullyQualifiedNamespace"] = Namespace });

        var deadLetters = provider.GetRequiredService<ServiceBusDeadLetters>();
        await using var receiver = provider.GetRequiredService<OpenDeadLetterReceiver>()(deadLetters.TopicOf("0363"), "tasks");

        Assert.Equal("outreach-gm0363/subscriptions/tasks", deadLetters.SubscriptionOf("0363"));
        Assert.Equal("outreach-gm0363/Subscriptions/tasks/$DeadLetterQueue", receiver.EntityPath);
        Assert.Equal(ServiceBusReceiveMode.PeekLock, receiver.ReceiveMode);
    }

    [Fact]
    public async Task Resolving_the_transport_with_invalid_settings_fails_naming_the_setting()
    {
        await using var provider = Provider(new() { ["FullyQualifiedNamespace"] = Namespace, ["MaxBatchMessages"] = "500" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ServiceBusTransport>());

        Assert.Contains("Dispatch:ServiceBus:MaxBatchMessages", ex.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) => new ConfigurationBuilder()
        .AddInMemoryCollection(settings.Select(kv => new KeyValuePair<string, string?>($"{ServiceBusTransportOptions.SectionName}:{kv.Key}", kv.Value)))
        .Build();

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddServiceBusTransport(Configuration(settings));
        return services.BuildServiceProvider(validateScopes: true);
    }

    // The registration's own binding, applied without the validation that IOptions.Value would run.
    private static ServiceBusTransportOptions Bind(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddServiceBusTransport(Configuration(settings));
        using var provider = services.BuildServiceProvider();
        var options = new ServiceBusTransportOptions();
        foreach (var configure in provider.GetServices<IConfigureOptions<ServiceBusTransportOptions>>())
        {
            configure.Configure(options);
        }

        return options;
    }
}
