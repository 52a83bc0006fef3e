using System.CommandLine;
using VroegSignalering.Cli.Cli;

namespace VroegSignalering.Cli.Tests;

/// <summary>
/// Every number option of every command, found by walking the command tree (a new option is covered
/// without touching this file), refuses a non-number as a usage error: exit 2, a message naming the
/// option, no stack trace.
/// </summary>
public sealed class NumberOptionTests
{
    private static readonly Type[] WholeNumberTypes = [typeof(int), typeof(long), typeof(short), typeof(byte), typeof(uint), typeof(ulong)];
    private static readonly Type[] FractionTypes = [typeof(double), typeof(float), typeof(decimal)];

    public static TheoryData<string[], string> NumberOptions()
    {
        var data = new TheoryData<string[], string>();
        foreach (var (path, option) in Walk(Program.CreateRootCommand(new CliEnvironment { Out = TextWriter.Null, Error = TextWriter.Null }), []))
        {
            var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            if (WholeNumberTypes.Contains(type) || FractionTypes.Contains(type))
            {
                data.Add([.. path, option.Name], "abc");
                data.Add([.. path, option.Name], "");
                if (WholeNumberTypes.Contains(type))
                {
                    data.Add([.. path, option.Name], "1.5");
                    data.Add([.. path, option.Name], "99999999999999999999");
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NumberOptions))]
    public async Task A_number_option_given_a_non_number_exits_2_naming_the_option_without_a_stack_trace(string[] commandAndOption, string value)
    {
        var run = await new CliRunner().RunAsync([.. commandAndOption, value]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"'{commandAndOption[^1]}'", run.Error, StringComparison.Ordinal);
        Assert.Contains("--help", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public void The_walk_finds_the_number_options_of_every_command_group()
    {
        // Guards the theory above against passing on nothing: these are known number options.
        var found = NumberOptions().Select(row => string.Join(' ', (string[])row[0])).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "generate --signals", "generate --seed", "addresses generate --rows", "post --batch", "post --timeout",
                "report --timeout", "report --started", "tasks tail --max", "deadletter redrive --max", "keys rewrap --batch",
            },
            found);
    }

    [Theory]
    [InlineData("Option '--signals' must be a whole number between 1 and 10000000, got 'abc'.", "generate", "--signals", "abc")]
    [InlineData("Option '--signals' must be a whole number between 1 and 10000000, got '0'.", "generate", "--signals", "0")]
    [InlineData("Option '--seed' must be a whole number between -2147483648 and 2147483647, got '1.5'.", "generate", "--seed", "1.5")]
    [InlineData("Option '--timeout' must be a whole number of at least 1, got 'x'.", "report", "--timeout", "x")]
    [InlineData("Option '--batch' must be a whole number between 1 and 5000, got 'x'.", "keys", "rewrap", "--kind", "data", "--from", "k1", "--batch", "x")]
    public async Task A_non_number_gets_the_same_message_as_a_number_out_of_range(string message, params string[] args)
    {
        var run = await new CliRunner().RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_number_option_still_takes_a_negative_number_where_its_range_allows()
    {
        var parsed = Program.CreateRootCommand(new CliEnvironment { Out = TextWriter.Null, Error = TextWriter.Null }).Parse(["generate", "--seed", "-3"]);

        Assert.Empty(parsed.Errors);
        Assert.Equal(-3, parsed.GetValue<int>("--seed"));
    }

    private static IEnumerable<(string[] Path, Option Option)> Walk(Command command, string[] path)
    {
        foreach (var option in command.Options)
        {
            yield return (path, option);
        }

        foreach (var sub in command.Subcommands)
        {
            foreach (var found in Walk(sub, [.. path, sub.Name]))
            {
                yield return found;
            }
        }
    }
}
