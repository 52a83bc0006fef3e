using VroegSignalering.Testing;

namespace VroegSignalering.Cli.Tests;

/// <summary>Help, usage errors and failures behave the same for every command.</summary>
public sealed class CommandLineTests
{
    private readonly CliRunner _cli = new();

    [Theory]
    [InlineData(new string[0], new[] { "addresses", "generate", "post" })]
    [InlineData(new[] { "addresses" }, new[] { "generate", "check" })]
    [InlineData(new[] { "addresses", "generate" }, new[] { "--seed", "--rows", "--year", "--out" })]
    [InlineData(new[] { "addresses", "check" }, new[] { "<file>" })]
    [InlineData(new[] { "generate" }, new[] { "--signals", "--seed", "--out", "--today", "--format", "--addresses", "--gemeenten", "--creditors" })]
    [InlineData(new[] { "deadletter" }, new[] { "list", "redrive" })]
    [InlineData(new[] { "deadletter", "redrive" }, new[] { "--gemeente", "--max", "--set" })]
    [InlineData(new[] { "ddas", "export" }, new[] { "--gemeente", "--from", "--to", "--out", "--client", "--leverancier", "--organisatie", "--kvk", "--contact-naam", "--contact-email", "--contact-telefoon" })]
    [InlineData(new[] { "post" }, new[] { "--url", "--creditor", "--key", "--file", "--dir", "--batch", "--mode", "--creditors", "--parallel", "--receipts", "--timeout", "--retries" })]
    public async Task Help_works_for_every_command_and_lists_its_options(string[] command, string[] expected)
    {
        var run = await _cli.RunAsync([.. command, "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Out, StringComparison.Ordinal);
        Assert.All(expected, e => Assert.Contains(e, run.Out, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("generate", "--bogus")]
    [InlineData("post", "--dir", "x", "--bogus", "1")]
    [InlineData("addresses", "generate", "--bogus")]
    public async Task An_unknown_option_exits_2_naming_it_and_pointing_to_help(params string[] args)
    {
        var run = await _cli.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'--bogus'", run.Error, StringComparison.Ordinal);
        Assert.Contains("--help", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Theory]
    [InlineData("expects a date as yyyy-MM-dd, got '23-11-2026'", "generate", "--today", "23-11-2026")]
    [InlineData("must be a whole number between 1 and", "generate", "--signals", "0")]
    [InlineData("'xml'", "generate", "--format", "xml")]
    [InlineData("Give either --file or --dir.", "post")]
    [InlineData("Give either --file or --dir.", "post", "--file", "a.json", "--dir", "out")]
    [InlineData("--creditor and --key go with --file", "post", "--dir", "out", "--key", "k")]
    [InlineData("expects an absolute http(s) address", "post", "--dir", "out", "--url", "localhost:7071")]
    [InlineData("'atomically'", "post", "--dir", "out", "--mode", "atomically")]
    [InlineData("Required command was not provided", "addresses")]
    [InlineData("expects a gemeentecode such as 0363", "deadletter", "list", "--gemeente", "Amsterdam")]
    [InlineData("must be a whole number between 1 and 10000, got '0'", "deadletter", "redrive", "--gemeente", "0363", "--max", "0")]
    public async Task A_bad_value_or_combination_exits_2_with_a_clear_message(string message, params string[] args)
    {
        var run = await _cli.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_letters_without_Service_Bus_settings_say_which_settings_are_missing()
    {
        var run = await _cli.RunAsync("deadletter", "list", "--gemeente", "0363", "--set", "Dispatch:Transport=Local");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Dispatch__Transport=ServiceBus", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_input_file_is_a_failure_with_exit_code_1_and_no_stack_trace()
    {
        using var temp = new TempDirectory();

        var run = await _cli.RunAsync("generate", "--addresses", temp.File("missing.csv"), "--out", temp.Path, "--creditors", RepositoryRoot.File("config", "local", "creditors.json"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("vroeg generate: error: address file", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Posting_as_a_creditor_that_is_not_configured_is_a_usage_error()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("stranger.json"), "[]");

        var run = await _cli.RunAsync("post", "--file", temp.File("stranger.json"), "--creditors", RepositoryRoot.File("config", "local", "creditors.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("creditor 'stranger' is not in", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Addresses_generate_and_check_round_trip_through_a_folder()
    {
        using var temp = new TempDirectory();

        var generated = await _cli.RunAsync("addresses", "generate", "--rows", "2000", "--seed", "3", "--out", temp.Path);
        var checkedRun = await _cli.RunAsync("addresses", "check", temp.File("pc6hnr20260801_gwb.csv"));

        Assert.Equal(0, generated.ExitCode);
        Assert.True(File.Exists(temp.File("gemeenten.csv")));
        Assert.Equal(0, checkedRun.ExitCode);
        Assert.Contains("GM0363", checkedRun.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generating_more_households_than_there_are_addresses_warns_that_addresses_are_shared()
    {
        using var temp = new TempDirectory();
        await _cli.RunAsync("addresses", "generate", "--rows", "300", "--out", temp.Path);

        var run = await _cli.RunAsync(
            "generate", "--signals", "1000", "--today", "2026-11-23", "--out", temp.File("month"),
            "--addresses", temp.File("pc6hnr20260801_gwb.csv"), "--creditors", RepositoryRoot.File("config", "local", "creditors.json"));

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"households share \d+ addresses", run.Error);
    }
}
