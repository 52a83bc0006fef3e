using Microsoft.Extensions.Configuration;
using VroegSignalering.Azure.ServiceBus;

namespace VroegSignalering.Azure.Transport;

/// <summary>Settings of the local task transport, the emulated topic (section <c>Dispatch:Local</c>).</summary>
public sealed class LocalTransportOptions
{
    public const string SectionName = "Dispatch:Local";

    /// <summary>The section's name before the stand-in became a table; a setting left under it would be ignored, so it is refused.</summary>
    public const string RetiredSectionName = "Dispatch:StorageQueue";

    /// <summary>
    /// How long an accepted message id is remembered: a resend within it is dropped, a later one is delivered
    /// again, as the Service Bus topic does. Defaults to the topic's window (<c>Dispatch:ServiceBus:DuplicateDetectionWindow</c>,
    /// 1 h), so local runs show what Azure would do.
    /// </summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Settings under the retired names, read so that <see cref="Errors"/> can name their replacement.</summary>
    public IReadOnlyList<string> RetiredSettings { get; init; } = [];

    /// <summary>Reads the section; without its own window it takes the Service Bus topic's.</summary>
    public static LocalTransportOptions From(IConfiguration configuration)
    {
        var topic = configuration.GetValue($"{ServiceBusTransportOptions.SectionName}:{nameof(DuplicateDetectionWindow)}", TimeSpan.FromHours(1));
        var retired = configuration.GetSection(RetiredSectionName).AsEnumerable(makePathsRelative: true)
            .Where(s => s.Value is not null)
            .Select(s => $"{RetiredSectionName}:{s.Key} was renamed: use {SectionName}:{s.Key}")
            .ToList();
        return new LocalTransportOptions
        {
            DuplicateDetectionWindow = configuration.GetValue($"{SectionName}:{nameof(DuplicateDetectionWindow)}", topic),
            RetiredSettings = retired,
        };
    }

    /// <summary>The same bounds as the topic's setting, so a window that Azure would refuse is refused locally too; and no retired setting.</summary>
    public IReadOnlyList<string> Errors() =>
        [
            .. RetiredSettings,
            .. DuplicateDetectionWindow < TimeSpan.FromSeconds(20) || DuplicateDetectionWindow > TimeSpan.FromDays(7)
                ? [$"{SectionName}:{nameof(DuplicateDetectionWindow)} (or {ServiceBusTransportOptions.SectionName}:{nameof(DuplicateDetectionWindow)}) must be between 00:00:20 and 7.00:00:00, as the topics' setting"]
                : Array.Empty<string>(),
        ];
}
