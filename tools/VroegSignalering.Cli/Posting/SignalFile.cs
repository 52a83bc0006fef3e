using System.Text.Json;
using VroegSignalering.Cli.Cli;

namespace VroegSignalering.Cli.Posting;

internal enum SignalFileKind
{
    Json,
    Ndjson,
    Csv,
}

/// <summary>One row of a file: its bytes as written, and where it is for people reading errors.</summary>
internal readonly record struct FileRow(int Start, int Length, int Line);

/// <summary>One request's worth of rows. Row numbers are 1-based data rows of the file (a CSV header is not a row).</summary>
internal sealed record SignalBatch(int Number, int FirstRow, int RowCount, byte[] Body, IReadOnlyList<int> Lines)
{
    public int FileRow(int requestRow) => FirstRow + requestRow - 1;

    public int? LineOf(int requestRow) => requestRow >= 1 && requestRow <= Lines.Count ? Lines[requestRow - 1] : null;
}

/// <summary>
/// A generated (or creditor-made) signals file, cut into request-sized batches without re-encoding:
/// every row is sent as the exact bytes of the file, so what the API sees is what the file holds.
/// </summary>
internal sealed class SignalFile
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];
    private readonly byte[] _bytes;
    private readonly List<FileRow> _rows;
    private readonly byte[] _csvPrefix;

    private SignalFile(string path, SignalFileKind kind, byte[] bytes, List<FileRow> rows, byte[] csvPrefix)
    {
        Path = path;
        Kind = kind;
        _bytes = bytes;
        _rows = rows;
        _csvPrefix = csvPrefix;
    }

    public string Path { get; }

    public SignalFileKind Kind { get; }

    public int RowCount => _rows.Count;

    public string ContentType => ContentTypeOf(Kind);

    public static string ContentTypeOf(SignalFileKind kind) => kind switch
    {
        SignalFileKind.Json => "application/json",
        SignalFileKind.Ndjson => "application/x-ndjson",
        _ => "text/csv",
    };

    public static SignalFileKind? KindOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => SignalFileKind.Json,
        ".ndjson" or ".jsonl" => SignalFileKind.Ndjson,
        ".csv" => SignalFileKind.Csv,
        _ => null,
    };

    public static SignalFile Load(string path)
    {
        var kind = KindOf(path) ?? throw new CliException($"'{path}': unknown file kind; expected .json, .ndjson or .csv");
        if (!File.Exists(path))
        {
            throw new CliException($"file '{path}' not found");
        }

        var bytes = File.ReadAllBytes(path);
        return kind switch
        {
            SignalFileKind.Json => new SignalFile(path, kind, bytes, JsonArrayRows(path, bytes), []),
            SignalFileKind.Ndjson => new SignalFile(path, kind, bytes, LineRows(bytes, SkipBom(bytes)), []),
            _ => CsvFile(path, bytes),
        };
    }

    public IEnumerable<SignalBatch> Batches(int batchSize)
    {
        var number = 0;
        for (var first = 0; first < _rows.Count; first += batchSize)
        {
            var rows = _rows.GetRange(first, Math.Min(batchSize, _rows.Count - first));
            yield return new SignalBatch(++number, first + 1, rows.Count, Body(rows), [.. rows.Select(r => r.Line)]);
        }
    }

    private byte[] Body(List<FileRow> rows)
    {
        using var body = new MemoryStream();
        switch (Kind)
        {
            case SignalFileKind.Json:
                body.Write("["u8);
                for (var i = 0; i < rows.Count; i++)
                {
                    body.Write(i == 0 ? "\n"u8 : ",\n"u8);
                    body.Write(_bytes, rows[i].Start, rows[i].Length);
                }

                body.Write("\n]\n"u8);
                break;
            case SignalFileKind.Ndjson:
                foreach (var row in rows)
                {
                    body.Write(_bytes, row.Start, row.Length);
                    body.Write("\n"u8);
                }

                break;
            default:
                // The BOM and header (with its own line end) start every batch; rows keep their line ends.
                body.Write(_csvPrefix);
                foreach (var row in rows)
                {
                    body.Write(_bytes, row.Start, row.Length);
                    if (row.Length == 0 || _bytes[row.Start + row.Length - 1] != (byte)'\n')
                    {
                        body.Write("\r\n"u8);
                    }
                }

                break;
        }

        return body.ToArray();
    }

    private static int SkipBom(byte[] bytes) => bytes.AsSpan().StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;

    private static List<FileRow> JsonArrayRows(string path, byte[] bytes)
    {
        var offset = SkipBom(bytes);
        var rows = new List<FileRow>();
        var reader = new Utf8JsonReader(bytes.AsSpan(offset), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new CliException($"'{path}': expected a JSON array of signals");
            }

            var line = 1;
            var counted = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                line += bytes.AsSpan(offset + counted, start - counted).Count((byte)'\n');
                counted = start;
                rows.Add(new FileRow(offset + start, end - start, line));
            }
        }
        catch (JsonException e)
        {
            throw new CliException($"'{path}': not valid JSON: {e.Message}");
        }

        return rows;
    }

    /// <summary>NDJSON: one row per non-blank line.</summary>
    private static List<FileRow> LineRows(byte[] bytes, int offset)
    {
        var rows = new List<FileRow>();
        var line = 0;
        var position = offset;
        while (position < bytes.Length)
        {
            line++;
            var newline = bytes.AsSpan(position).IndexOf((byte)'\n');
            var end = newline < 0 ? bytes.Length : position + newline;
            var length = end - position;
            if (length > 0 && bytes[end - 1] == (byte)'\r')
            {
                length--;
            }

            if (!bytes.AsSpan(position, length).Trim(" \t"u8).IsEmpty)
            {
                rows.Add(new FileRow(position, length, line));
            }

            position = end + 1;
        }

        return rows;
    }

    /// <summary>CSV records, honouring quotes: a quoted field may hold ';' and line breaks.</summary>
    private static SignalFile CsvFile(string path, byte[] bytes)
    {
        var bom = SkipBom(bytes);
        var records = new List<FileRow>();
        var line = 1;
        var position = bom;
        while (position < bytes.Length)
        {
            var start = position;
            var startLine = line;
            var quoted = false;
            while (position < bytes.Length)
            {
                var b = bytes[position++];
                if (b == (byte)'"')
                {
                    quoted = !quoted;
                }
                else if (b == (byte)'\n')
                {
                    line++;
                    if (!quoted)
                    {
                        break;
                    }
                }
            }

            // The slice keeps its line end so batches reproduce the file's own bytes.
            if (!bytes.AsSpan(start, position - start).Trim("\r\n \t"u8).IsEmpty)
            {
                records.Add(new FileRow(start, position - start, startLine));
            }
        }

        if (records.Count == 0)
        {
            throw new CliException($"'{path}': the CSV file has no header");
        }

        var header = records[0];
        using var prefix = new MemoryStream();
        prefix.Write(bytes, 0, bom);
        prefix.Write(bytes, header.Start, header.Length);
        if (bytes[header.Start + header.Length - 1] != (byte)'\n')
        {
            prefix.Write("\r\n"u8);
        }

        records.RemoveAt(0);
        return new SignalFile(path, SignalFileKind.Csv, bytes, records, prefix.ToArray());
    }
}
