using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using VroegSignalering.Benchmarks.Data;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Benchmarks;

// Intake's CPU work per request, without I/O: SignalParser.Parse of a 1,000-row body, then
// SignalValidator.Validate of every row, exactly as SignalIntake.SubmitAsync does before it touches storage.
// One operation is one row, so Op/s reads as rows per second.
//
// The rows come from `vroeg generate` (seed 1, 4,000 signals, today 2026-11-23): 1,000 spread evenly over
// every creditor's file, so the national partner-type mix, the spelling variants and the 3% intended-invalid
// rows are all in. Each format holds the same 1,000 signals. The CSV is the generator's Dutch-spreadsheet
// dialect (BOM, ';', decimal comma, CRLF); its creditors alternate ISO and dd-MM-yyyy dates, so the sample
// carries both. Because the sample spans creditors, rows are validated for a creditor registered for every
// partner type.
[Config(typeof(Config))]
[MemoryDiagnoser]
public class IntakeBenchmarks
{
    public const int Rows = 1000;
    private const int GeneratedSignals = 4000;
    private static readonly DateOnly Today = new(2026, 11, 23);
    private static readonly IReadOnlySet<PartnerType> AllPartnerTypes = Enum.GetValues<PartnerType>().ToHashSet();

    private readonly IntakeLimits _limits = new();
    private SignalValidator _validator = null!;
    private SignalFormat _format;
    private byte[] _body = null!;

    [Params("json", "csv", "ndjson")]
    public string Format { get; set; } = "json";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _validator = new SignalValidator(_limits);
        _format = Format switch
        {
            "json" => SignalFormat.Json,
            "csv" => SignalFormat.Csv,
            _ => SignalFormat.NdJson,
        };

        var directory = Directory.CreateTempSubdirectory("vroeg-bench-intake-");
        try
        {
            await SyntheticMonth.GenerateAsync(directory.FullName, GeneratedSignals, seed: 1, Today, Format, Console.Error);
            var (rows, header) = SyntheticMonth.ReadRows(directory.FullName, Format);
            _body = SyntheticMonth.Body(Format, SyntheticMonth.Spread(rows, Rows), header);
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        // Guard against measuring the wrong thing: every row must be read, and most (the generator makes
        // 3% invalid on purpose) must validate.
        var (parsed, valid) = (0, 0);
        var request = SignalParser.Parse(_format, _body, _limits.MaxRowsPerRequest);
        foreach (var row in request.Rows)
        {
            parsed++;
            valid += _validator.Validate(row, Today, AllPartnerTypes).IsValid ? 1 : 0;
        }

        if (!request.IsReadable || parsed != Rows || valid < Rows * 9 / 10)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{Format}: {parsed} rows read, {valid} valid; expected {Rows} rows, nearly all valid"));
        }

        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"// {Format}: {_body.Length:N0} bytes, {parsed} rows, {valid} valid"));
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public int ParseAndValidate()
    {
        var request = SignalParser.Parse(_format, _body, _limits.MaxRowsPerRequest);
        var valid = 0;
        foreach (var row in request.Rows)
        {
            if (_validator.Validate(row, Today, AllPartnerTypes).IsValid)
            {
                valid++;
            }
        }

        return valid;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
