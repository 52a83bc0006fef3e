using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Generation;

namespace VroegSignalering.Cli.Tests.Generation;

public sealed class SignalGeneratorReproducibilityTests
{
    private static readonly CliEnvironment Quiet = new() { Out = TextWriter.Null, Error = TextWriter.Null };

    [Fact]
    public void The_same_seed_and_today_give_byte_identical_files_and_manifest()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();

        MonthGenerator.Run(GeneratedMonthFixture.Settings(42, first.Path, signals: 5_000), Quiet);
        MonthGenerator.Run(GeneratedMonthFixture.Settings(42, second.Path, signals: 5_000), Quiet);

        var names = Directory.GetFiles(first.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(names, Directory.GetFiles(second.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("manifest.json", names);
        foreach (var name in names)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.Path, name!)), File.ReadAllBytes(Path.Combine(second.Path, name!)));
        }
    }

    [Fact]
    public void A_different_seed_gives_different_signals()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();

        MonthGenerator.Run(GeneratedMonthFixture.Settings(42, first.Path, signals: 2_000), Quiet);
        MonthGenerator.Run(GeneratedMonthFixture.Settings(43, second.Path, signals: 2_000), Quiet);

        foreach (var path in Directory.GetFiles(first.Path))
        {
            Assert.NotEqual(File.ReadAllBytes(path), File.ReadAllBytes(Path.Combine(second.Path, Path.GetFileName(path))));
        }
    }

    [Fact]
    public void A_different_today_shifts_every_date()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        var settings = GeneratedMonthFixture.Settings(42, first.Path, signals: 500);

        var a = MonthGenerator.Run(settings, Quiet).Result.Signals;
        var b = MonthGenerator.Run(settings with { OutputDirectory = second.Path, Today = settings.Today.AddDays(31) }, Quiet).Result.Signals;

        Assert.Equal(a.Select(s => s.Signaaldatum.AddDays(31)), b.Select(s => s.Signaaldatum));
    }

    [Fact]
    public async Task The_generate_command_is_reproducible_from_the_command_line()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        var runner = new CliRunner();

        var a = await runner.RunAsync("generate", "--signals", "1000", "--seed", "5", "--today", "2026-11-23", "--out", first.Path, "--format", "csv");
        var b = await runner.RunAsync("generate", "--signals", "1000", "--seed", "5", "--today", "2026-11-23", "--out", second.Path, "--format", "csv");

        Assert.Equal(0, a.ExitCode);
        Assert.Equal(0, b.ExitCode);
        Assert.Contains("Generated 1000 signals", a.Out, StringComparison.Ordinal);
        Assert.All(Directory.GetFiles(first.Path), path => Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(Path.Combine(second.Path, Path.GetFileName(path)))));
        Assert.All(Directory.GetFiles(first.Path).Where(p => p.EndsWith(".json", StringComparison.Ordinal)), p => Assert.EndsWith("manifest.json", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Files_of_an_earlier_run_in_another_format_are_removed_so_they_are_not_posted_twice()
    {
        using var output = new TempDirectory();

        MonthGenerator.Run(GeneratedMonthFixture.Settings(1, output.Path, signals: 300, format: "json"), Quiet);
        MonthGenerator.Run(GeneratedMonthFixture.Settings(1, output.Path, signals: 300, format: "csv"), Quiet);

        Assert.Equal(["manifest.json"], Directory.GetFiles(output.Path, "*.json").Select(Path.GetFileName));
        Assert.NotEmpty(Directory.GetFiles(output.Path, "*.csv"));
    }
}
