using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using VroegSignalering.Benchmarks.Data;

namespace VroegSignalering.Benchmarks.EndToEnd;

/// <summary>
/// The one storage account of an e2e run: $AzureWebJobsStorage when set, otherwise an Azurite started
/// from node_modules (npm ci) in memory on ports the OS picks, stopped when the run ends. The same start
/// as tests/VroegSignalering.Testing/Azurite.cs; kept separate so the benchmarks don't depend on xunit.
/// </summary>
internal sealed partial class LocalAzurite : IDisposable
{
    public const string ConnectionVariable = "AzureWebJobsStorage";

    // Azurite's documented, public development account key; it grants nothing outside a local emulator.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process? _process;

    private LocalAzurite(string connectionString, string description, Process? process)
    {
        ConnectionString = connectionString;
        Description = description;
        _process = process;
    }

    public string ConnectionString { get; }

    /// <summary>What the run used, for the report: "Azurite 3.37.0 (started in memory)" or "$AzureWebJobsStorage".</summary>
    public string Description { get; }

    public static LocalAzurite StartOrReuse()
    {
        var existing = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(existing))
        {
            return new LocalAzurite(existing, "$AzureWebJobsStorage (not started by the benchmark)", null);
        }

        var exe = Path.Combine(Repository.Root, "node_modules", ".bin", "azurite");
        if (!File.Exists(exe))
        {
            throw new InvalidOperationException($"Azurite is not installed: run `npm ci` in {Repository.Root}, or set {ConnectionVariable}");
        }

        var psi = new ProcessStartInfo(exe)
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("vroeg-bench-azurite-").FullName,
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
            var deadline = DateTime.UtcNow.AddSeconds(30);
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
            return new LocalAzurite(connection, $"Azurite {InstalledVersion()} (started by the benchmark, in memory)", process);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }

    private static string InstalledVersion()
    {
        var manifest = Path.Combine(Repository.Root, "node_modules", "azurite", "package.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(manifest));
        return doc.RootElement.GetProperty("version").GetString() ?? "?";
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
