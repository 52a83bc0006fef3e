namespace VroegSignalering.Cli.Cli;

internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran and failed: a file could not be read, the API refused or went away.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself was wrong; nothing was done.</summary>
    public const int Usage = 2;

    /// <summary>The command refused because doing it would lose data (e.g. retiring a key that data still needs).</summary>
    public const int Refused = 3;

    public const int Cancelled = 130;
}

/// <summary>A failure the user can act on; its message is printed without a stack trace.</summary>
internal class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>A combination of options the parser cannot catch on its own (exit code 2).</summary>
internal sealed class UsageException(string message) : CliException(message, ExitCodes.Usage);
