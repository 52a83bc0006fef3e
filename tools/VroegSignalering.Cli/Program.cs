using System.CommandLine;
using System.CommandLine.Invocation;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Commands;

namespace VroegSignalering.Cli;

/// <summary>
/// The <c>vroeg</c> command line. Each command group lives in its own file under Commands/ and
/// exposes <c>Create(CliEnvironment)</c>; adding a command is one file and one line below.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, CliEnvironment.FromConsole());

    internal static RootCommand CreateRootCommand(CliEnvironment env)
    {
        var root = new RootCommand("vroeg: tools for VroegSignalering — synthetic data, posting signals to the API, and more.");
        root.Subcommands.Add(AddressesCommands.Create(env));
        root.Subcommands.Add(GenerateCommand.Create(env));
        root.Subcommands.Add(PostCommand.Create(env));
        root.Subcommands.Add(LoadCommand.Create(env));
        root.Subcommands.Add(ReportCommand.Create(env));
        root.Subcommands.Add(TasksCommands.Create(env));
        root.Subcommands.Add(TeamsCommands.Create(env));
        root.Subcommands.Add(OutboxCommands.Create(env));
        root.Subcommands.Add(PoisonCommands.Create(env));
        root.Subcommands.Add(QuarantineCommands.Create(env));
        root.Subcommands.Add(RetentionCommands.Create(env));
        root.Subcommands.Add(CreditorsCommands.Create(env));
        root.Subcommands.Add(DdasCommands.Create(env));
        root.Subcommands.Add(DeadLetterCommands.Create(env));
        root.Subcommands.Add(KeysCommands.Create(env));
        root.Subcommands.Add(VerifyCommand.Create(env));
        return root;
    }

    internal static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken ct = default)
    {
        var parseResult = CreateRootCommand(env).Parse(args);

        // Usage errors get exit code 2 (System.CommandLine's default is 1, the code for failures),
        // and a pointer to --help instead of the whole help text, so the error itself stays visible.
        if (parseResult.Errors.Count > 0 && parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors)
            {
                await env.Error.WriteLineAsync("vroeg: " + error.Message).ConfigureAwait(false);
            }

            var path = CommandHelpers.CommandPath(parseResult);
            await env.Error.WriteLineAsync($"Try 'vroeg{(path.Length > 0 ? " " + path : string.Empty)} --help'.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = env.Out, Error = env.Error };
        return await parseResult.InvokeAsync(configuration, ct).ConfigureAwait(false);
    }
}
