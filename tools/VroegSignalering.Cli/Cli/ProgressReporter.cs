namespace VroegSignalering.Cli.Cli;

/// <summary>
/// Progress on stderr: on a terminal one line redrawn in place at most ten times a second; when
/// stderr is redirected (CI logs, pipes) a plain line every few seconds, so logs stay readable.
/// </summary>
internal sealed class ProgressReporter(CliEnvironment env)
{
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private long _lastWrite = long.MinValue;
    private int _lastLength;

    public void Report(string status, bool force = false)
    {
        lock (_gate)
        {
            var now = env.Time.GetTimestamp();
            var interval = env.ErrorIsTerminal ? TerminalInterval : LogInterval;
            if (!force && _lastWrite != long.MinValue && env.Time.GetElapsedTime(_lastWrite, now) < interval)
            {
                return;
            }

            _lastWrite = now;
            if (env.ErrorIsTerminal)
            {
                env.Error.Write('\r' + status.PadRight(_lastLength));
                _lastLength = status.Length;
            }
            else
            {
                env.Error.WriteLine(status);
            }

            env.Error.Flush();
        }
    }

    /// <summary>A line that must not be lost (a retry, a skipped file): printed above the progress line.</summary>
    public void Log(string message)
    {
        lock (_gate)
        {
            if (env.ErrorIsTerminal && _lastLength > 0)
            {
                env.Error.Write('\r' + new string(' ', _lastLength) + '\r');
                _lastLength = 0;
                _lastWrite = long.MinValue;
            }

            env.Error.WriteLine(message);
            env.Error.Flush();
        }
    }

    /// <summary>Prints the final state and leaves the cursor on a fresh line.</summary>
    public void Complete(string status)
    {
        Report(status, force: true);
        lock (_gate)
        {
            if (env.ErrorIsTerminal)
            {
                env.Error.WriteLine();
            }

            _lastLength = 0;
        }
    }
}
