using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using VroegSignalering.Azure;
using VroegSignalering.Core;
using VroegSignalering.Functions.Api;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions;

public static class FunctionsRegistration
{
    /// <summary>
    /// Registers what the function classes need: Core's use cases, the Azure adapters, the HTTP gate
    /// (creditor authentication and the per-creditor rate limit) and the OpenAPI document. The worker
    /// (Program.cs) and the local host call this one method, so both run the functions on the same services.
    /// </summary>
    public static IHostApplicationBuilder AddVroegFunctions(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.TryAddSingleton(TimeProvider.System);
        services.AddVroegCore(configuration);
        services.AddVroegAzure(configuration);

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HttpJson.Default));
        services.AddCreditorAuthentication(configuration);
        services.AddSingleton<CreditorRateLimiter>();
        services.AddSingleton<ApiGate>();
        services.AddSingleton<OpenApiDocument>();
        services.AddSingleton<VroegSignalering.Functions.Outcomes.OutcomeHttp>();
        return builder;
    }
}
