using VroegSignalering.Cli.Addresses;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Generation;
using VroegSignalering.Testing;

namespace VroegSignalering.Cli.Tests;

/// <summary>
/// One 20,000-signal month generated from the committed address file and demo creditors, shared by
/// the tests that only read it: generating it once keeps the suite fast.
/// </summary>
public sealed class GeneratedMonthFixture : IDisposable
{
    public static readonly DateOnly Today = new(2026, 11, 23);
    public const int Signals = 20_000;
    public const int Seed = 7;

    private readonly TempDirectory _directory = new();

    public GeneratedMonthFixture()
    {
        AddressFilePath = RepositoryRoot.File("data", "addresses", AddressFile.FileName(2026));
        Addresses = AddressFile.Load(AddressFilePath);
        Outcome = MonthGenerator.Run(Settings(Seed, _directory.Path), new CliEnvironment { Out = TextWriter.Null, Error = TextWriter.Null });
    }

    public string Directory => _directory.Path;

    public string AddressFilePath { get; }

    internal AddressFile Addresses { get; }

    internal GenerateOutcome Outcome { get; }

    internal GenerationResult Result => Outcome.Result;

    internal IReadOnlyList<GeneratedSignal> AllSignals => Outcome.Result.Signals;

    internal IEnumerable<GeneratedSignal> ValidSignals => AllSignals.Where(s => s.IsIntendedValid && !s.Unroutable);

    internal static GenerateSettings Settings(int seed, string output, int signals = Signals, string format = MonthGenerator.Mixed) => new(
        signals,
        seed,
        Today,
        output,
        format,
        RepositoryRoot.File("data", "addresses", AddressFile.FileName(2026)),
        RepositoryRoot.File("data", "addresses", Gemeenten.FileName),
        RepositoryRoot.File("config", "local", "creditors.json"));

    public void Dispose() => _directory.Dispose();
}

[CollectionDefinition(Name)]
public sealed class GeneratedMonthCollection : ICollectionFixture<GeneratedMonthFixture>
{
    public const string Name = "generated month";
}
