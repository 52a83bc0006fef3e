using System.Collections.Concurrent;
using VroegSignalering.Cli.Cli;

namespace VroegSignalering.Cli.Tests;

/// <summary>Runs the CLI in process with captured output; waits are recorded, never slept.</summary>
internal sealed class CliRunner
{
    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public async Task<CliRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var env = new CliEnvironment
        {
            Out = TextWriter.Synchronized(output),
            Error = TextWriter.Synchronized(error),
            Delay = (delay, _) =>
            {
                Delays.Enqueue(delay);
                return Task.CompletedTask;
            },
        };
        var exitCode = await Program.RunAsync(args, env);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}

internal sealed record CliRun(int ExitCode, string Out, string Error);

/// <summary>A temporary folder removed with the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("vroeg-cli-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finished test's process is not worth failing a test for.
        }
    }
}
