namespace VroegSignalering.Cli.Cli;

/// <summary>
/// What a command may touch outside its arguments: the console streams, the clock, waiting, the network
/// and credentials of operator commands, and environment variables.
/// Tests pass their own so that nothing writes to the real console or sleeps on the wall clock.
/// </summary>
internal sealed class CliEnvironment
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>True when stderr is a terminal: progress then redraws one line instead of printing many.</summary>
    public bool ErrorIsTerminal { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How the CLI waits before a retry (Retry-After, back-off).</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = static (delay, ct) => Task.Delay(delay, ct);

    /// <summary>The folder relative default paths start from; null means the repository root or the current folder.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>How the operator commands reach the app's API; null: a real socket handler. Tests pass an in-memory server's.</summary>
    public Func<HttpMessageHandler>? HttpHandler { get; init; }

    /// <summary>Where operator commands get an Entra ID token; null: DefaultAzureCredential (az login, managed identity, …).</summary>
    public global::Azure.Core.TokenCredential? Credential { get; init; }

    /// <summary>Environment variables (VROEG_API_AUDIENCE, VROEG_OPERATOR_KEY); tests pass their own.</summary>
    public Func<string, string?> Variable { get; init; } = Environment.GetEnvironmentVariable;

    public static CliEnvironment FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };
}
