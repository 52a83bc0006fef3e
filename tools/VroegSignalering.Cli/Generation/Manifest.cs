using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace VroegSignalering.Cli.Generation;

/// <summary>
/// manifest.json: what a generated month contains and what was put in on purpose. It is for people
/// and tests; the system never reads it. It holds no times or machine paths, so the same seed and
/// today give the same bytes.
/// </summary>
internal static class Manifest
{
    public const string FileName = "manifest.json";

    public static void Write(string path, GenerationResult result, IReadOnlyList<CreditorFileSpec> files, string format, string addressFileName, string addressFileSha256)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var signals = result.Signals;
        var options = result.Options;

        w.WriteStartObject();
        w.WriteString("$comment", "Synthetic data for demos and tests. For people and tests only: the system never reads this file.");
        w.WriteNumber("seed", options.Seed);
        w.WriteString("today", options.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        w.WriteNumber("signalsRequested", options.Signals);
        w.WriteString("format", format);
        w.WriteString("addressFile", addressFileName);
        w.WriteString("addressFileSha256", addressFileSha256);

        w.WriteStartArray("files");
        foreach (var file in files)
        {
            w.WriteStartObject();
            w.WriteString("creditor", file.CreditorId);
            w.WriteString("file", file.FileName);
            w.WriteString("format", file.Format.ToString().ToLowerInvariant());
            if (file.Format == SignalFileFormat.Csv)
            {
                w.WriteString("dateFormat", file.DateFormat);
            }

            w.WriteNumber("signals", signals.Count(s => s.CreditorId == file.CreditorId));
            w.WriteEndObject();
        }

        w.WriteEndArray();

        var valid = signals.Where(s => s.IsIntendedValid && !s.Unroutable).ToList();
        var repeats = signals.Where(s => s.Repeat != RepeatKind.None).ToList();
        var stapeling = result.Households.Where(h => h.DistinctCreditors >= 2).ToList();

        w.WriteStartObject("counts");
        w.WriteNumber("signals", signals.Count);
        w.WriteNumber("households", result.Households.Count);
        WriteCounts(w, "perCreditor", signals.GroupBy(s => s.CreditorId, StringComparer.Ordinal));
        WriteCounts(w, "perPartnerType", signals.GroupBy(s => s.PartnerType, StringComparer.Ordinal));
        w.WriteNumber("intendedValidAndRoutable", valid.Count);
        w.WriteStartObject("intendedInvalid");
        w.WriteNumber("total", signals.Count(s => s.Invalid is not null));
        foreach (var kind in Enum.GetValues<InvalidKind>())
        {
            w.WriteNumber(kind.ToString(), signals.Count(s => s.Invalid == kind));
        }

        w.WriteEndObject();
        w.WriteNumber("intendedUnroutable", signals.Count(s => s.Unroutable));
        w.WriteNumber("multiCreditorHouseholds", stapeling.Count);
        w.WriteStartObject("repeats");
        w.WriteNumber("grown", repeats.Count(s => s.Repeat == RepeatKind.Grown));
        w.WriteNumber("notGrown", repeats.Count(s => s.Repeat == RepeatKind.NotGrown));
        w.WriteEndObject();
        w.WriteNumber("crisis", signals.Count(s => s.Crisissignaal));
        w.WriteNumber("warmeOverdracht", signals.Count(s => s.WarmeOverdracht));
        w.WriteStartObject("endOfSupply");
        w.WriteNumber("total", signals.Count(s => s.HasEndOfSupply && s.Invalid is null));
        WriteCountsInline(w, signals.Where(s => s.HasEndOfSupply && s.Invalid is null).GroupBy(s => s.PartnerType, StringComparer.Ordinal));
        w.WriteEndObject();
        w.WriteEndObject();

        // The rows behind the counts, by creditor and reference, so an end-to-end test can check each one.
        w.WriteStartArray("intendedInvalid");
        foreach (var s in signals.Where(s => s.Invalid is not null).OrderBy(s => s.CreditorId, StringComparer.Ordinal).ThenBy(s => s.SignaalReferentie, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("creditor", s.CreditorId);
            w.WriteString("signaalReferentie", s.SignaalReferentie);
            w.WriteString("kind", s.Invalid!.Value.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteReferences(w, "intendedUnroutable", signals.Where(s => s.Unroutable));

        w.WriteStartArray("repeats");
        foreach (var s in repeats.OrderBy(s => s.CreditorId, StringComparer.Ordinal).ThenBy(s => s.SignaalReferentie, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("creditor", s.CreditorId);
            w.WriteString("signaalReferentie", s.SignaalReferentie);
            w.WriteString("repeats", s.Previous!.SignaalReferentie);
            w.WriteBoolean("grown", s.Repeat == RepeatKind.Grown);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("multiCreditorHouseholds");
        foreach (var household in stapeling)
        {
            w.WriteStartArray();
            foreach (var s in household.Signals)
            {
                w.WriteStringValue(s.CreditorId + "/" + s.SignaalReferentie);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter w, string name, IEnumerable<IGrouping<string, GeneratedSignal>> groups)
    {
        w.WriteStartObject(name);
        WriteCountsInline(w, groups);
        w.WriteEndObject();
    }

    private static void WriteCountsInline(Utf8JsonWriter w, IEnumerable<IGrouping<string, GeneratedSignal>> groups)
    {
        foreach (var group in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(group.Key, group.Count());
        }
    }

    private static void WriteReferences(Utf8JsonWriter w, string name, IEnumerable<GeneratedSignal> signals)
    {
        w.WriteStartArray(name);
        foreach (var s in signals.OrderBy(s => s.CreditorId, StringComparer.Ordinal).ThenBy(s => s.SignaalReferentie, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("creditor", s.CreditorId);
            w.WriteString("signaalReferentie", s.SignaalReferentie);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
