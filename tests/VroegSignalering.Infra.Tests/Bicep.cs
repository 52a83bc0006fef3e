using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace VroegSignalering.Infra.Tests;

/// <summary>The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package this project downloads.</summary>
public static partial class Bicep
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static readonly Lazy<string> LocatedExecutable = new(Locate);

    public static string Executable => LocatedExecutable.Value;

    /// <summary>Runs bicep and collects everything it prints; callers pass --no-restore so no network is needed.</summary>
    public static BicepResult Run(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("bicep did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', args)} did not finish within {Timeout}");
        }

        return new BicepResult(process.ExitCode, stdout.Result + stderr.Result, $"bicep {string.Join(' ', args)}");
    }

    private static string Locate()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException(
                "the infra tests run the linux-x64 Bicep CLI (Azure.Bicep.CommandLine.linux-x64); run them on Linux x64 (CI does)");
        }

        var path = typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepPath").Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new FileNotFoundException($"Bicep CLI not found at '{path}'; restore tests/VroegSignalering.Infra.Tests first", path);
        }

        // NuGet extracts files without their execute bit on some machines.
        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return path;
    }

    [GeneratedRegex(@"\) : (Error|Warning) ", RegexOptions.CultureInvariant)]
    internal static partial Regex ErrorOrWarning();
}

public sealed record BicepResult(int ExitCode, string Output, string Command)
{
    /// <summary>Diagnostics of level Error or Warning, one per line as the CLI prints them.</summary>
    public IReadOnlyList<string> ErrorsAndWarnings =>
        Output.Split('\n').Where(line => Bicep.ErrorOrWarning().IsMatch(line)).Select(line => line.Trim()).ToList();

    public void AssertClean()
    {
        Assert.True(ExitCode == 0, $"{Command} exited {ExitCode}:\n{Output}");
        Assert.True(ErrorsAndWarnings.Count == 0, $"{Command} reported:\n{string.Join('\n', ErrorsAndWarnings)}");
    }
}
