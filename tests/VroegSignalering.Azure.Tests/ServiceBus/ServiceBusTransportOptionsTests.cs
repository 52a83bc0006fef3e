using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.ServiceBus;

namespace VroegSignalering.Azure.Tests.ServiceBus;

public class ServiceBusTransportOptionsTests
{
    [Fact]
    public void A_namespace_sends_to_the_topic_messages_endpoint_with_entra_id()
    {
        var (target, errors) = ServiceBusTarget.Resolve(new ServiceBusTransportOptions { FullyQualifiedNamespace = "vroeg-ns.servicebus.windows.net" });

        Assert.Empty(errors);
        Assert.Equal("https://vroeg-ns.servicebus.windows.net/outreach-tasks/messages", target!.SendUri.AbsoluteUri);
        Assert.Equal("https://vroeg-ns.servicebus.windows.net/outreach-tasks", target.ResourceUri.AbsoluteUri);
        Assert.Null(target.SharedAccessKey);
    }

    [Fact]
    public void A_connection_string_selects_shared_access_signatures_for_its_namespace()
    {
        var (target, errors) = ServiceBusTarget.Resolve(new ServiceBusTransportOptions { ConnectionString = TransportHarness.ConnectionString, Topic = "other-topic" });

        Assert.Empty(errors);
        Assert.Equal("https://vroeg-ns.servicebus.windows.net/other-topic/messages", target!.SendUri.AbsoluteUri);
        Assert.Equal(new SharedAccessKey(TransportHarness.KeyName, TransportHarness.Key), target.SharedAccessKey);
    }

    [Fact]
    public void An_endpoint_override_moves_requests_but_not_the_signed_resource()
    {
        var (target, _) = ServiceBusTarget.Resolve(new ServiceBusTransportOptions
        {
            ConnectionString = TransportHarness.ConnectionString,
            Endpoint = new Uri("http://127.0.0.1:5123"),
        });

        Assert.Equal("http://127.0.0.1:5123/outreach-tasks/messages", target!.SendUri.AbsoluteUri);
        Assert.Equal("https://vroeg-ns.servicebus.windows.net/outreach-tasks", target.ResourceUri.AbsoluteUri);
    }

    [Fact]
    public void Missing_settings_name_both_ways_to_configure_the_transport()
    {
        var (_, errors) = ServiceBusTarget.Resolve(new ServiceBusTransportOptions());

        var error = Assert.Single(errors);
        Assert.Contains("Dispatch:ServiceBus:FullyQualifiedNamespace", error, StringComparison.Ordinal);
        Assert.Contains("Dispatch:ServiceBus:ConnectionString", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Endpoint=sb://vroeg-ns.servicebus.windows.net/;SharedAccessKeyName=send", "SharedAccessKeyName and SharedAccessKey")]
    [InlineData("SharedAccessKeyName=send;SharedAccessKey=s3cr3t-value=", "Endpoint=sb://")]
    [InlineData("Endpoint=sb://vroeg-ns.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=x", "ready-made SharedAccessSignature")]
    [InlineData("not a connection string", "malformed")]
    public void A_broken_connection_string_is_explained_without_echoing_the_key(string connectionString, string expected)
    {
        var (_, errors) = ServiceBusTarget.Resolve(new ServiceBusTransportOptions { ConnectionString = connectionString });

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain("s3cr3t", e, StringComparison.Ordinal));
    }

    [Fact]
    public void A_namespace_that_contradicts_the_connection_string_is_rejected()
    {
        var (_, errors) = ServiceBusTarget.Resolve(new ServiceBusTransportOptions
        {
            FullyQualifiedNamespace = "other-ns.servicebus.windows.net",
            ConnectionString = TransportHarness.ConnectionString,
        });

        Assert.Contains(errors, e => e.Contains("differs from the connection string", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("MaxBatchMessages", "101")]
    [InlineData("MaxBatchMessages", "0")]
    [InlineData("MaxBatchBytes", "100")]
    [InlineData("AttemptTimeout", "00:00:00.001")]
    [InlineData("MaxRetryAttempts", "-1")]
    [InlineData("CircuitBreakerMinimumThroughput", "1")]
    public void Limits_outside_what_the_broker_or_polly_accept_are_rejected(string setting, string value)
    {
        var options = Bind(new Dictionary<string, string?> { ["FullyQualifiedNamespace"] = "vroeg-ns.servicebus.windows.net", [setting] = value });

        var (_, errors) = ServiceBusTarget.Resolve(options);

        Assert.Contains(errors, e => e.Contains("Dispatch:ServiceBus:" + setting, StringComparison.Ordinal));
    }

    [Fact]
    public void Settings_bind_from_the_dispatch_service_bus_section()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["FullyQualifiedNamespace"] = "vroeg-ns.servicebus.windows.net",
            ["Topic"] = "outreach-tasks-test",
            ["ClientId"] = "00000000-0000-0000-0000-000000000001",
            ["MaxBatchBytes"] = "65536",
            ["TotalTimeout"] = "00:02:00",
        });

        Assert.Equal("outreach-tasks-test", options.Topic);
        Assert.Equal("00000000-0000-0000-0000-000000000001", options.ClientId);
        Assert.Equal(65536, options.MaxBatchBytes);
        Assert.Equal(TimeSpan.FromMinutes(2), options.TotalTimeout);
        Assert.Equal(100, options.MaxBatchMessages);
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

    private static ServiceBusTransportOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(kv => new KeyValuePair<string, string?>($"{ServiceBusTransportOptions.SectionName}:{kv.Key}", kv.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddServiceBusTransport(configuration);
        using var provider = services.BuildServiceProvider();

        // The registration's own binding, applied without the validation that IOptions.Value would run.
        var options = new ServiceBusTransportOptions();
        foreach (var configure in provider.GetServices<IConfigureOptions<ServiceBusTransportOptions>>())
        {
            configure.Configure(options);
        }

        return options;
    }
}
