using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Creditors;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outreach;
using VroegSignalering.LocalHost;

namespace VroegSignalering.Functions.Tests.Hosting;

/// <summary>
/// The worker's own host (functions/Program.cs: FunctionsApplication with the ASP.NET Core integration),
/// built with the settings the Function App gets in Azure: every registration resolves and every function
/// class the host would call can be created. A registration error fails here, not in Azure.
/// </summary>
public sealed class WorkerHostTests
{
    [Fact]
    public async Task The_worker_host_builds_with_the_production_settings_and_creates_every_function_class()
    {
        var builder = WorkerApp.CreateBuilder(ProductionArguments());
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        using var host = builder.Build();

        // What ValidateOnStart checks when the host starts: options (keys, limits, Service Bus) are valid.
        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var functions = FunctionCatalog.Load(AppContext.BaseDirectory).Functions;
        Assert.Equal(25, functions.Count);
        await using var scope = host.Services.CreateAsyncScope();
        foreach (var function in functions)
        {
            Assert.NotNull(ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Method.DeclaringType!));
        }

        // The production choices, not the local defaults.
        Assert.Equal(TransportKind.ServiceBus, host.Services.GetRequiredService<IOptions<OutreachOptions>>().Value.Transport);
        Assert.IsNotType<Azure.Transport.LocalTopicTransport>(host.Services.GetRequiredService<IOutreachTransport>());
        Assert.IsType<TableCreditorRegistry>(host.Services.GetRequiredService<ICreditorRegistry>());
    }

    // The app settings infra/main.bicep gives the Function App, as the host passes them (environment or
    // command line); Key Vault references resolved to test keys, names and ids made up.
    private static string[] ProductionArguments()
    {
        const string clientId = "00000000-0000-0000-0000-0000000000c1";
        var settings = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage:accountName"] = "vroegstprod",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = clientId,
            ["AZURE_CLIENT_ID"] = clientId,
            ["SignalsIntakeQueue"] = "signals-intake",
            ["DispatchQueue"] = "dispatch",
            ["TriageCasesSchedule"] = "0 */5 * * * *",
            ["SweepOutboxSchedule"] = "0 */2 * * * *",
            ["PipelineGaugesSchedule"] = "0 * * * * *",
            ["EscalateOverdueSchedule"] = "0 7 * * * *",
            ["RetentionSchedule"] = "0 30 2 * * *",
            ["Dispatch:Transport"] = "ServiceBus",
            ["Dispatch:ServiceBus:FullyQualifiedNamespace"] = "vroeg-prod.servicebus.windows.net",
            ["Dispatch:ServiceBus:TopicPrefix"] = "outreach-gm",
            ["Dispatch:ServiceBus:ClientId"] = clientId,
            ["Dispatch:ServiceBus:DuplicateDetectionWindow"] = "0.01:00:00",
            ["Creditors:Source"] = "Table",
            ["AddressRegistry:Source"] = "Pdok",
            ["Auth:Entra:TenantId"] = "00000000-0000-0000-0000-0000000000a1",
            ["Auth:Entra:Audience"] = "api://vroegsignalering",
            ["Keys:Hmac:ActiveKeyId"] = "k1",
            ["Keys:Hmac:Keys:k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Keys:Encryption:ActiveKeyId"] = "k1",
            ["Keys:Encryption:Keys:k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
            ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = $"ClientId={clientId};Authorization=AAD",
        };
        return settings.Select(s => $"--{s.Key}={s.Value}").ToArray();
    }
}
