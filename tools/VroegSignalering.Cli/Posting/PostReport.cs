using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace VroegSignalering.Cli.Posting;

/// <summary>The summary table on stdout and the receipts file.</summary>
internal static class PostReport
{
    public static void WriteSummary(TextWriter o, IReadOnlyList<FileOutcome> outcomes, string receiptsPath)
    {
        var ic = CultureInfo.InvariantCulture;
        var width = Math.Max(8, outcomes.Select(x => x.Creditor.Length).DefaultIfEmpty(0).Max());
        var fileWidth = Math.Max(4, outcomes.Select(x => x.File.Length).DefaultIfEmpty(0).Max());
        o.WriteLine(string.Format(ic, "{0} {1} {2,8} {3,9} {4,9} {5,11} {6,9} {7,9}", "creditor".PadRight(width), "file".PadRight(fileWidth), "rows", "accepted", "rejected", "duplicates", "requests", "rows/s"));
        foreach (var x in outcomes)
        {
            o.WriteLine(string.Format(ic, "{0} {1} {2,8} {3,9} {4,9} {5,11} {6,9} {7,9:0}", x.Creditor.PadRight(width), x.File.PadRight(fileWidth), x.Rows, x.Accepted, x.Rejected, x.Duplicates, x.Requests, x.RowsPerSecond));
        }

        var elapsed = outcomes.Select(x => x.Elapsed).DefaultIfEmpty(TimeSpan.Zero).Max();
        var done = outcomes.Sum(x => x.Accepted + x.Rejected + x.Duplicates);
        o.WriteLine(string.Format(ic, "{0} {1} {2,8} {3,9} {4,9} {5,11} {6,9} {7,9:0}", "total".PadRight(width), string.Empty.PadRight(fileWidth),
            outcomes.Sum(x => x.Rows), outcomes.Sum(x => x.Accepted), outcomes.Sum(x => x.Rejected), outcomes.Sum(x => x.Duplicates), outcomes.Sum(x => x.Requests),
            elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : 0));

        var throttled = outcomes.Sum(x => x.Throttled);
        var retries = outcomes.Sum(x => x.Retries);
        if (throttled + retries > 0)
        {
            o.WriteLine(string.Create(ic, $"Throttled (429) {throttled} times; retried {retries} times after timeouts or 5xx."));
        }

        var byCode = outcomes.SelectMany(x => x.Receipts).SelectMany(r => r.Errors)
            .GroupBy(e => e.Code ?? "(no code)", StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (byCode.Count > 0)
        {
            var codeWidth = Math.Max(4, byCode.Max(g => g.Key.Length));
            o.WriteLine();
            o.WriteLine("Row errors by code (one rejected row can have several errors):");
            foreach (var group in byCode)
            {
                o.WriteLine(string.Format(ic, "  {0} {1,7}", group.Key.PadRight(codeWidth), group.Count()));
            }
        }

        var failures = outcomes.Where(x => x.Failure is not null).ToList();
        if (failures.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("Failed:");
            foreach (var x in failures)
            {
                o.WriteLine($"  {x.Creditor} ({x.File}): {x.Failure}");
            }
        }

        o.WriteLine();
        o.WriteLine("Receipts: " + receiptsPath);
    }

    public static void WriteReceipts(string path, Uri url, string mode, IReadOnlyList<FileOutcome> outcomes)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("url", url.ToString());
        w.WriteString("mode", mode);
        w.WriteStartArray("receipts");
        foreach (var r in outcomes.SelectMany(x => x.Receipts))
        {
            w.WriteStartObject();
            w.WriteString("creditor", r.Creditor);
            w.WriteString("file", r.File);
            w.WriteNumber("batch", r.Batch);
            w.WriteNumber("firstRow", r.FirstRow);
            w.WriteNumber("rows", r.Rows);
            w.WriteNumber("status", r.Status);
            WriteNullable(w, "receiptId", r.ReceiptId);
            w.WriteNumber("accepted", r.Accepted);
            w.WriteNumber("rejected", r.Rejected);
            w.WriteNumber("duplicates", r.Duplicates);
            w.WriteStartArray("errors");
            foreach (var e in r.Errors)
            {
                w.WriteStartObject();
                WriteNullable(w, "row", e.Row);
                WriteNullable(w, "line", e.Line);
                WriteNullable(w, "requestRow", e.RequestRow);
                WriteNullable(w, "signaalReferentie", e.SignaalReferentie);
                WriteNullable(w, "field", e.Field);
                WriteNullable(w, "code", e.Code);
                WriteNullable(w, "message", e.Message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("failures");
        foreach (var x in outcomes.Where(x => x.Failure is not null))
        {
            w.WriteStartObject();
            w.WriteString("creditor", x.Creditor);
            w.WriteString("file", x.File);
            w.WriteString("message", x.Failure);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
