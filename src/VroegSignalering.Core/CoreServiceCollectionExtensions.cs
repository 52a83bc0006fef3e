using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Registers the use cases and their options. Adapters for the ports come from the Azure project.</summary>
    public static IServiceCollection AddVroegCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<VroegTelemetry>();
        services.AddOptions<IntakeLimits>().Bind(configuration.GetSection(IntakeLimits.Section))
            .Validate(l => l.MaxRowsPerRequest > 0 && l.MaxBodyBytes > 0 && l.MaxAmount > 0 && l.RequestsPerMinute > 0, "Intake limits must be positive")
            .ValidateOnStart();
        services.AddOptions<TriageOptions>().Bind(configuration.GetSection(TriageOptions.Section))
            .Validate(o => o.Default.Window > 0 && o.Default.Due > 0 && o.Default.SpoedDue > 0, "Triage windows and due days must be positive")
            .ValidateOnStart();
        services.AddOptions<OutreachOptions>().Bind(configuration.GetSection(OutreachOptions.Section))
            .Validate(o => o.TimeToLive > TimeSpan.Zero && o.SweepAfter >= TimeSpan.Zero, "Dispatch:TimeToLive must be positive")
            .ValidateOnStart();

        services.AddSingleton<SignalIntake>();
        services.AddSingleton<SignalProcessor>();
        services.AddSingleton<HouseholdTriage>();
        services.AddSingleton<TriageSweep>();
        services.AddSingleton<OutboxDispatcher>();
        return services;
    }
}
