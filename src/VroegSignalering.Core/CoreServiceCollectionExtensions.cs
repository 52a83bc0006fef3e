using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Escalation;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Quarantine;
using VroegSignalering.Core.Retention;
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
            .Validate(o => o.Gemeenten.Keys.Select(o.For).Append(o.Default).All(p => p.Window > 0 && p.Due > 0 && p.SpoedDue > 0 && p.EndOfSupplyLead >= 0 && p.Settle >= 0 && p.Growth >= 0),
                "Triage:Default and every Triage:Gemeenten entry need positive WindowDays, DueDays and SpoedDueWorkingDays, and no negative settle, lead time or growth")
            .ValidateOnStart();
        services.AddOptions<OutreachOptions>().Bind(configuration.GetSection(OutreachOptions.Section))
            .Validate(o => o.TimeToLive > TimeSpan.Zero && o.SweepAfter >= TimeSpan.Zero, "Dispatch:TimeToLive must be positive")
#pragma warning disable CS0618 // the retired value is named only to refuse it
            .Validate(o => o.Transport != TransportKind.StorageQueue, "Dispatch:Transport=StorageQueue was renamed: use Dispatch:Transport=Local (the local stand-in for the topic is a table now, not storage queues)")
#pragma warning restore CS0618
            .ValidateOnStart();

        services.AddOptions<QuarantineOptions>().Bind(configuration.GetSection(QuarantineOptions.Section))
            .Validate(o => o.AlertAfterDays > 0, "Quarantine:AlertAfterDays must be a positive number of days")
            .ValidateOnStart();

        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();

        services.AddSingleton<SignalIntake>();
        services.AddSingleton<SignalProcessor>();
        services.AddSingleton<HouseholdTriage>();
        services.AddSingleton<UrgentTriage>();
        services.AddSingleton<TriageSweep>();
        services.AddSingleton<OverdueEscalation>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<PipelineSampler>();
        services.AddSingleton<KeyRotation>();
        services.AddSingleton<QuarantineRedrive>();
        services.AddSingleton<OutcomeRecorder>();
        services.AddSingleton<CreditorFeedbackReader>();
        services.AddSingleton<JoinedSignalFeedback>();
        return services;
    }
}
