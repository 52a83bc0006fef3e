using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace VroegSignalering.Cli.Cli;

/// <summary>Building blocks every command uses, so options and failures look the same everywhere.</summary>
internal static class CommandHelpers
{
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>
    /// Runs a command body and turns failures into a message on stderr and an exit code, so a user
    /// never sees a stack trace for a missing file or a refused request.
    /// </summary>
    public static void SetGuardedAction(this Command command, CliEnvironment env, Func<ParseResult, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parseResult, ct) =>
        {
            try
            {
                return await body(parseResult, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await env.Error.WriteLineAsync($"vroeg {command.Name}: cancelled").ConfigureAwait(false);
                return ExitCodes.Cancelled;
            }
            catch (UsageException e)
            {
                await env.Error.WriteLineAsync($"vroeg {command.Name}: {e.Message}").ConfigureAwait(false);
                await env.Error.WriteLineAsync($"Try 'vroeg {CommandPath(parseResult)} --help'.").ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (CliException e)
            {
                await env.Error.WriteLineAsync($"vroeg {command.Name}: error: {e.Message}").ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (global::Azure.RequestFailedException e)
            {
                // Storage or Service Bus refused: status and code say why; the SDK's full text repeats the request.
                await env.Error.WriteLineAsync($"vroeg {command.Name}: error: storage answered {e.Status} {e.ErrorCode}: {FirstLine(e.Message)}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions.All(x => x is global::Azure.RequestFailedException))
            {
                // The SDK gave up after its retries (storage unreachable, or refusing every time).
                await env.Error.WriteLineAsync($"vroeg {command.Name}: error: storage did not answer after {e.InnerExceptions.Count} tries: {FirstLine(e.InnerExceptions[^1].Message)}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
            {
                await env.Error.WriteLineAsync($"vroeg {command.Name}: error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    public static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (SymbolResult? r = parseResult.CommandResult; r is CommandResult c && c.Command is not RootCommand; r = r.Parent)
        {
            names.Insert(0, c.Command.Name);
        }

        return string.Join(' ', names);
    }

    public static Option<string> PathOption(string name, string description, string? defaultValue = null)
    {
        var option = new Option<string>(name) { Description = description, HelpName = "path" };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        return option;
    }

    /// <summary>
    /// A path the user typed is taken relative to the current folder; a default is taken relative to
    /// the repository root when the CLI runs inside the repository, so `dotnet run` works from anywhere in it.
    /// </summary>
    public static string? ResolvePath(this ParseResult parseResult, Option<string> option, CliEnvironment env)
    {
        var value = parseResult.GetValue(option);
        if (value is null)
        {
            return null;
        }

        if (Path.IsPathRooted(value))
        {
            return value;
        }

        var explicitlyGiven = parseResult.GetResult(option) is { Implicit: false };
        return explicitlyGiven ? Path.GetFullPath(value) : DefaultPath(env, value);
    }

    /// <summary>A default path: relative to the repository root when the CLI runs inside the repository, else to the current folder.</summary>
    public static string DefaultPath(CliEnvironment env, params string[] parts) =>
        Path.GetFullPath(Path.Combine([env.BaseDirectory ?? FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory(), .. parts]));

    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VroegSignalering.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    public static Option<DateOnly?> DateOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = DateFormat,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return date;
            }

            result.AddError($"Option '{name}' expects a date as {DateFormat}, got '{text}'.");
            return null;
        },
    };

    /// <summary>A required <c>--gemeente</c>: 0363 or GM0363, parsed to the four-digit CBS code.</summary>
    public static Option<string> GemeenteOption(string description) => new("--gemeente")
    {
        Description = description,
        Required = true,
        HelpName = "code",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (VroegSignalering.Core.Routing.AreaCodeFormat.Gemeente(text) is { } code)
            {
                return code;
            }

            result.AddError($"Option '--gemeente' expects a gemeentecode such as 0363 or GM0363, got '{text}'.");
            return null;
        },
    };

    /// <summary>A whole-number option from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int> IntOption(string name, string description, int defaultValue, int min, int max = int.MaxValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = "n",
        CustomParser = result => ParseWholeNumber(result, name, min, max) is { } value ? (int)value : defaultValue,
    };

    /// <summary>An optional whole-number option from <paramref name="min"/> to <paramref name="max"/>; null when not given.</summary>
    public static Option<long?> OptionalLongOption(string name, string description, string helpName, long min, long max = long.MaxValue) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result => ParseWholeNumber(result, name, min, max),
    };

    /// <summary>
    /// The one parser of every number option: it reads the text itself, so a non-number gets the same one-line
    /// usage error (exit 2) as a number out of range. With System.CommandLine's own conversion, a non-number
    /// reached the range validator, whose GetValue threw past the parser: a stack trace and exit 134.
    /// </summary>
    private static long? ParseWholeNumber(ArgumentResult result, string name, long min, long max)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[0].Value;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        var range = max is int.MaxValue or long.MaxValue && min is not (int.MinValue or long.MinValue)
            ? string.Create(CultureInfo.InvariantCulture, $"of at least {min}")
            : string.Create(CultureInfo.InvariantCulture, $"between {min} and {max}");
        result.AddError($"Option '{name}' must be a whole number {range}, got '{text}'.");
        return null;
    }

    public static Option<string> ChoiceOption(string name, string description, string defaultValue, params string[] choices)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = string.Join('|', choices) };
        option.AcceptOnlyFromAmong(choices);
        return option;
    }
}
