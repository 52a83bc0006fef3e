using Microsoft.Extensions.Configuration;
using VroegSignalering.Azure.ServiceBus;

namespace VroegSignalering.Azure.Transport;

/// <summary>Settings of the local task transport (section <c>Dispatch:StorageQueue</c>).</summary>
public sealed class StorageQueueTransportOptions
{
    public const string SectionName = "Dispatch:StorageQueue";

    /// <summary>
    /// How long an accepted message id is remembered: a resend within it is dropped, a later one is delivered
    /// again, as the Service Bus topic does. Defaults to the topic's window (<c>Dispatch:ServiceBus:DuplicateDetectionWindow</c>,
    /// 1 h), so local runs show what Azure would do.
    /// </summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Reads the section; without its own window it takes the Service Bus topic's.</summary>
    public static StorageQueueTransportOptions From(IConfiguration configuration)
    {
        var topic = configuration.GetValue($"{ServiceBusTransportOptions.SectionName}:{nameof(DuplicateDetectionWindow)}", TimeSpan.FromHours(1));
        return new StorageQueueTransportOptions
        {
            DuplicateDetectionWindow = configuration.GetValue($"{SectionName}:{nameof(DuplicateDetectionWindow)}", topic),
        };
    }

    /// <summary>The same bounds as the topic's setting, so a window that Azure would refuse is refused locally too.</summary>
    public IReadOnlyList<string> Errors() =>
        DuplicateDetectionWindow < TimeSpan.FromSeconds(20) || DuplicateDetectionWindow > TimeSpan.FromDays(7)
            ? [$"{SectionName}:{nameof(DuplicateDetectionWindow)} (or {ServiceBusTransportOptions.SectionName}:{nameof(DuplicateDetectionWindow)}) must be between 00:00:20 and 7.00:00:00, as the topics' setting"]
            : [];
}
