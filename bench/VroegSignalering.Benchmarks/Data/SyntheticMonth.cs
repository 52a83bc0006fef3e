using System.Globalization;
using System.Text;

namespace VroegSignalering.Benchmarks.Data;

/// <summary>
/// Synthetic signals from `vroeg generate` (the CLI's own generator, called in-process), so the benchmarks
/// measure the same mix of partner types, spellings, flags and intended-invalid rows as ./run.sh. Never real people.
/// </summary>
internal static class SyntheticMonth
{
    /// <summary>Runs `vroeg generate` into <paramref name="outputDirectory"/>; its stdout summary goes to <paramref name="log"/>.</summary>
    public static async Task GenerateAsync(string outputDirectory, int signals, int seed, DateOnly today, string format, TextWriter log)
    {
        string[] args =
        [
            "generate",
            "--signals", signals.ToString(CultureInfo.InvariantCulture),
            "--seed", seed.ToString(CultureInfo.InvariantCulture),
            "--today", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "--format", format,
            "--out", outputDirectory,
            "--addresses", Repository.AddressFile,
            "--creditors", Repository.CreditorsFile,
        ];

        // The CLI writes its summary to Console.Out; in a BenchmarkDotNet child process stdout belongs to
        // the engine, so the summary is sent elsewhere while the command runs.
        var exitCode = await WithConsoleOutAsync(log, () => VroegSignalering.Cli.Program.Main(args));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"vroeg generate exited with {exitCode}");
        }
    }

    /// <summary>Runs a CLI command with Console.Out pointed at <paramref name="writer"/> (CliEnvironment reads it at start).</summary>
    public static async Task<int> WithConsoleOutAsync(TextWriter writer, Func<Task<int>> command)
    {
        var original = Console.Out;
        Console.SetOut(writer);
        try
        {
            return await command();
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    /// <summary>
    /// The data rows of every creditor file of one format in <paramref name="directory"/>, creditors in
    /// file-name order and each file in its own (reference) order, so that the three formats of one seed
    /// yield the same signals at the same positions. Returns the CSV header too (null for JSON and NDJSON).
    /// </summary>
    public static (IReadOnlyList<string> Rows, string? CsvHeader) ReadRows(string directory, string format)
    {
        var extension = "." + format;
        var rows = new List<string>();
        string? header = null;
        // manifest.json (and the receipts.json of `vroeg post`) sit beside the creditor files and are not signals.
        var creditorFiles = Directory.GetFiles(directory, "*" + extension)
            .Where(f => Path.GetFileName(f) is not ("manifest.json" or "receipts.json"))
            .Order(StringComparer.Ordinal);
        foreach (var file in creditorFiles)
        {
            // The generator writes one signal per line in every format: a JSON array puts "[" and "]" on
            // lines of their own and ends each element with a comma; CSV starts with a header (and a BOM).
            var lines = File.ReadAllLines(file, Encoding.UTF8).Where(l => l.Length > 0).ToList();
            switch (format)
            {
                case "json":
                    rows.AddRange(lines.Where(l => l.StartsWith('{')).Select(l => l.TrimEnd(',')));
                    break;
                case "ndjson":
                    rows.AddRange(lines);
                    break;
                case "csv":
                    var fileHeader = lines[0].TrimStart('\uFEFF');
                    if (header is not null && header != fileHeader)
                    {
                        throw new InvalidDataException($"{file}: CSV header differs from the other creditor files");
                    }

                    header = fileHeader;
                    rows.AddRange(lines.Skip(1));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(format), format, "json, ndjson or csv");
            }
        }

        return (rows, header);
    }

    /// <summary>A request body in the wire form a creditor sends: JSON array, NDJSON lines, or CSV with BOM and CRLF.</summary>
    public static byte[] Body(string format, IReadOnlyList<string> rows, string? csvHeader) => format switch
    {
        "json" => Encoding.UTF8.GetBytes("[\n" + string.Join(",\n", rows) + "\n]\n"),
        "ndjson" => Encoding.UTF8.GetBytes(string.Join('\n', rows) + "\n"),
        "csv" => [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(csvHeader + "\r\n" + string.Join("\r\n", rows) + "\r\n")],
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "json, ndjson or csv"),
    };

    /// <summary>Every <c>count</c>-th share of <paramref name="rows"/>, spread evenly, so a sample keeps the month's mix.</summary>
    public static IReadOnlyList<string> Spread(IReadOnlyList<string> rows, int count)
    {
        if (rows.Count < count)
        {
            throw new InvalidOperationException($"need {count} rows, the generator wrote {rows.Count}");
        }

        return Enumerable.Range(0, count).Select(i => rows[(int)((long)i * rows.Count / count)]).ToList();
    }
}
