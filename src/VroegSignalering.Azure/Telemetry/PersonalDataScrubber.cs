using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace VroegSignalering.Azure.Telemetry;

/// <summary>
/// The last line of defence for telemetry sinks: whatever reaches a trace attribute that looks like
/// personal data (e-mail, Dutch postcode, phone number, nine-digit BSN) is replaced by
/// <see cref="Redacted"/>. The app never puts personal data in telemetry on purpose; this catches what
/// libraries add (URLs with queries, exception messages).
/// </summary>
public static partial class PersonalDataScrubber
{
    public const string Redacted = "[redacted]";

    public static string? Scrub(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value;
        }

        var s = Email().Replace(value, Redacted);
        s = Postcode().Replace(s, Redacted);
        s = Phone().Replace(s, Redacted);
        s = Bsn().Replace(s, Redacted);
        return s;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    // 1234AB, 1234 ab; not inside longer tokens such as hashes or ids.
    [GeneratedRegex(@"(?<![A-Za-z0-9])[1-9][0-9]{3}\s?(?!SA|SD|SS)[A-Za-z]{2}(?![A-Za-z0-9])")]
    private static partial Regex Postcode();

    [GeneratedRegex(@"(?<![0-9])(?:\+31|0031|0)[ \-]?[1-9](?:[ \-]?[0-9]){8}(?![0-9])")]
    private static partial Regex Phone();

    [GeneratedRegex(@"(?<![0-9A-Za-z])[0-9]{9}(?![0-9A-Za-z])")]
    private static partial Regex Bsn();
}

/// <summary>Scrubs string attributes of every finished activity before any exporter sees them.</summary>
public sealed class ScrubbingActivityProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        foreach (var tag in data.TagObjects.ToList())
        {
            if (tag.Value is string text && PersonalDataScrubber.Scrub(text) is { } scrubbed && !ReferenceEquals(scrubbed, text) && scrubbed != text)
            {
                data.SetTag(tag.Key, scrubbed);
            }
        }

        if (data.StatusDescription is { } status && PersonalDataScrubber.Scrub(status) is { } s && s != status)
        {
            data.SetStatus(data.Status, s);
        }
    }
}
