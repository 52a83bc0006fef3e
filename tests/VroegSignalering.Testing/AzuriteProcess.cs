using System.Diagnostics;
using System.Text.RegularExpressions;

namespace VroegSignalering.Testing;

/// <summary>
/// Starts Azurite from the repository's node_modules (installed by <c>npm ci</c> from package-lock.json):
/// in memory, on loopback ports the OS picks, and returns the connection string of the ports it reports.
/// Shared as source by the test helpers and the benchmarks (which must not depend on xunit).
/// </summary>
internal static partial class AzuriteProcess
{
    // Azurite's documented, public development account key; it grants nothing outside a local emulator.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The started emulator and its connection string; the caller owns (and kills) the process.</summary>
    public static (Process Process, string ConnectionString) Start(string repositoryRoot, string workDirectoryPrefix)
    {
        var exe = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(exe))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: run ./test.sh, or `npm ci` in {repositoryRoot}, or set AzureWebJobsStorage");
        }

        var psi = new ProcessStartInfo(exe)
        {
            WorkingDirectory = Directory.CreateTempSubdirectory(workDirectoryPrefix).FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
                     "--blobHost", "127.0.0.1", "--blobPort", "0", "--queueHost", "127.0.0.1", "--queuePort", "0",
                     "--tableHost", "127.0.0.1", "--tablePort", "0",
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start Azurite");
        try
        {
            var ports = new Dictionary<string, string>(StringComparer.Ordinal);
            var deadline = DateTime.UtcNow + StartTimeout;
            while (ports.Count < 3 && DateTime.UtcNow < deadline)
            {
                var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("Azurite exited during start");
                var m = ListeningLine().Match(line);
                if (m.Success)
                {
                    ports[m.Groups[1].Value] = m.Groups[2].Value;
                }
            }

            if (ports.Count < 3)
            {
                throw new InvalidOperationException("Azurite did not report its ports");
            }

            // Its output is no longer read; drain it so a full pipe can never stall the emulator.
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
            var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
                             $"BlobEndpoint=http://127.0.0.1:{ports["Blob"]}/devstoreaccount1;" +
                             $"QueueEndpoint=http://127.0.0.1:{ports["Queue"]}/devstoreaccount1;" +
                             $"TableEndpoint=http://127.0.0.1:{ports["Table"]}/devstoreaccount1;";
            return (process, connection);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
