using System.Text;
using System.Text.Json;
using Sylvan.Data.Csv;

namespace VroegSignalering.Core.Intake;

/// <summary>The media types intake accepts.</summary>
public enum SignalFormat
{
    Json,
    NdJson,
    Csv,
}

/// <summary>Rows read from a request, or why the request as a whole could not be read.</summary>
public sealed record ParsedRequest(IReadOnlyList<RawSignal> Rows, IReadOnlyList<RowError> RequestErrors, bool TooManyRows)
{
    public bool IsReadable => RequestErrors.Count == 0 && !TooManyRows;
}

/// <summary>
/// Reads signals from JSON (one object or an array), NDJSON (one object per line) or CSV (header row,
/// <c>;</c> or <c>,</c>, UTF-8 with or without BOM, the flattened field names). Values stay text here;
/// the validator interprets them. Fields outside the contract are refused, so that data we must not
/// hold (nationality, gender, …) cannot slip in through an extra column.
/// </summary>
public static class SignalParser
{
    public static bool TryGetFormat(string? contentType, out SignalFormat format)
    {
        var media = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        (var ok, format) = media switch
        {
            "application/json" => (true, SignalFormat.Json),
            "application/x-ndjson" or "application/ndjson" or "application/jsonl" => (true, SignalFormat.NdJson),
            "text/csv" or "application/csv" => (true, SignalFormat.Csv),
            _ => (false, SignalFormat.Json),
        };
        return ok;
    }

    public static ParsedRequest Parse(SignalFormat format, ReadOnlyMemory<byte> body, int maxRows) => format switch
    {
        SignalFormat.Json => ParseJson(body, maxRows),
        SignalFormat.NdJson => ParseNdJson(body, maxRows),
        SignalFormat.Csv => ParseCsv(body, maxRows),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static ParsedRequest ParseJson(ReadOnlyMemory<byte> body, int maxRows)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return Unreadable("body", "request.invalid_json", $"the body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine})");
        }

        var rows = new List<RawSignal>();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                rows.Add(FromJsonObject(1, root));
                break;
            case JsonValueKind.Array:
                if (root.GetArrayLength() > maxRows)
                {
                    return new ParsedRequest([], [], TooManyRows: true);
                }

                var i = 0;
                foreach (var item in root.EnumerateArray())
                {
                    rows.Add(FromJsonObject(++i, item));
                }

                break;
            default:
                return Unreadable("body", "request.invalid_json", "the body must be a signal object or an array of signal objects");
        }

        return new ParsedRequest(rows, [], false);
    }

    private static ParsedRequest ParseNdJson(ReadOnlyMemory<byte> body, int maxRows)
    {
        var rows = new List<RawSignal>();
        var text = Utf8(body);
        var line = 0;
        foreach (var l in text.Split('\n'))
        {
            line++;
            var trimmed = l.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (rows.Count == maxRows)
            {
                return new ParsedRequest([], [], TooManyRows: true);
            }

            try
            {
                using var doc = JsonDocument.Parse(trimmed, new JsonDocumentOptions { MaxDepth = 8 });
                rows.Add(FromJsonObject(line, doc.RootElement));
            }
            catch (JsonException)
            {
                var row = new RawSignal(line);
                row.AddShapeError("row", ErrorCodes.RowMalformed, $"line {line} is not a JSON object");
                rows.Add(row);
            }
        }

        return new ParsedRequest(rows, [], false);
    }

    private static ParsedRequest ParseCsv(ReadOnlyMemory<byte> body, int maxRows)
    {
        var text = Utf8(body);
        var firstLine = text.AsSpan(0, Math.Max(0, text.IndexOf('\n') is var nl && nl >= 0 ? nl : text.Length));
        var delimiter = firstLine.Count(';') >= firstLine.Count(',') ? ';' : ',';
        using var reader = new StringReader(text);
        CsvDataReader csv;
        try
        {
            csv = CsvDataReader.Create(reader, new CsvDataReaderOptions { HasHeaders = true, Delimiter = delimiter, MaxBufferSize = 1 << 22 });
        }
        catch (CsvFormatException ex)
        {
            return Unreadable("header", "request.invalid_csv", $"the CSV header could not be read: {ex.Message}");
        }

        using (csv)
        {
            var columns = new string[csv.FieldCount];
            var errors = new List<RowError>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var c = 0; c < csv.FieldCount; c++)
            {
                var header = csv.GetName(c).Trim();
                if (!SignalFields.ByFlatName.TryGetValue(header, out var field))
                {
                    errors.Add(new RowError(0, null, header, ErrorCodes.Unknown, $"CSV column '{header}' is not a field of the signal contract"));
                    continue;
                }

                if (!seen.Add(field))
                {
                    errors.Add(new RowError(0, null, header, "request.duplicate_column", $"CSV column '{header}' appears twice"));
                }

                columns[c] = field;
            }

            if (errors.Count > 0)
            {
                return new ParsedRequest([], errors, false);
            }

            var rows = new List<RawSignal>();
            try
            {
                while (csv.Read())
                {
                    if (rows.Count == maxRows)
                    {
                        return new ParsedRequest([], [], TooManyRows: true);
                    }

                    if (IsBlank(csv))
                    {
                        continue; // blank lines between rows carry no signal and are not counted
                    }

                    var row = new RawSignal(rows.Count + 1);
                    var empty = true;
                    for (var c = 0; c < columns.Length && c < csv.RowFieldCount; c++)
                    {
                        var value = csv.GetString(c);
                        if (value.Length > 0)
                        {
                            empty = false;
                            row.Set(columns[c], value);
                        }
                    }

                    if (csv.RowFieldCount != columns.Length)
                    {
                        row.AddShapeError("row", ErrorCodes.RowMalformed, $"the row has {csv.RowFieldCount} fields, the header {columns.Length}");
                    }

                    if (!empty || csv.RowFieldCount != columns.Length)
                    {
                        rows.Add(row);
                    }
                }
            }
            catch (CsvFormatException ex)
            {
                return Unreadable("body", "request.invalid_csv", $"the CSV could not be read after row {rows.Count}: {ex.Message}");
            }

            return new ParsedRequest(rows, [], false);
        }
    }

    private static bool IsBlank(CsvDataReader csv)
    {
        for (var c = 0; c < csv.RowFieldCount; c++)
        {
            if (!string.IsNullOrWhiteSpace(csv.GetString(c)))
            {
                return false;
            }
        }

        return true;
    }

    private static RawSignal FromJsonObject(int rowNumber, JsonElement element)
    {
        var row = new RawSignal(rowNumber);
        if (element.ValueKind != JsonValueKind.Object)
        {
            row.AddShapeError("row", ErrorCodes.RowMalformed, $"row {rowNumber} is not a JSON object");
            return row;
        }

        foreach (var p in element.EnumerateObject())
        {
            if (SignalFields.Groups.Contains(p.Name))
            {
                if (p.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (p.Value.ValueKind != JsonValueKind.Object)
                {
                    row.AddShapeError(p.Name, ErrorCodes.Type, $"{p.Name} must be an object");
                    continue;
                }

                foreach (var inner in p.Value.EnumerateObject())
                {
                    SetScalar(row, p.Name + "." + inner.Name, inner.Value);
                }

                continue;
            }

            SetScalar(row, p.Name, p.Value);
        }

        return row;
    }

    private static void SetScalar(RawSignal row, string field, JsonElement value)
    {
        if (!SignalFields.Known.Contains(field))
        {
            row.AddShapeError(field, ErrorCodes.Unknown, $"'{field}' is not a field of the signal contract");
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return;
            case JsonValueKind.String:
                row.Set(field, value.GetString());
                return;
            case JsonValueKind.Number:
                row.SetJsonNumber(field, value.GetRawText());
                return;
            case JsonValueKind.True:
                row.Set(field, "true");
                return;
            case JsonValueKind.False:
                row.Set(field, "false");
                return;
            default:
                row.AddShapeError(field, ErrorCodes.Type, $"{field} must be a single value, not an object or array");
                return;
        }
    }

    private static string Utf8(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        return Encoding.UTF8.GetString(span);
    }

    private static ParsedRequest Unreadable(string field, string code, string message) =>
        new([], [new RowError(0, null, field, code, message)], false);
}
