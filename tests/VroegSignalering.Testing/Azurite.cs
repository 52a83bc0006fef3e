using System.Diagnostics;
using System.Text.RegularExpressions;
using VroegSignalering.Azure.Storage;

namespace VroegSignalering.Testing;

/// <summary>
/// The one real Azurite the integration tests share. ./test.sh starts it and exports its connection
/// string as AzureWebJobsStorage; run outside test.sh, the first test that needs it starts one from
/// node_modules (npm ci) on ports the OS picks, and it stops with the test process.
/// </summary>
public static partial class Azurite
{
    public const string ConnectionVariable = "AzureWebJobsStorage";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<string> Connection = new(StartOrReuse, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _counter;
    private static Process? _process;

    public static string ConnectionString => Connection.Value;

    public static StorageClients Clients() => StorageClients.FromConnectionString(ConnectionString);

    /// <summary>A storage-safe name unique within this test run (tables: letters and digits; queues: lower case).</summary>
    public static string UniqueName(string prefix)
    {
        var n = Interlocked.Increment(ref _counter);
        var id = $"{prefix}{Environment.ProcessId % 100000}x{n}x{Random.Shared.Next(1000, 9999)}";
        return new string(id.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
    }

    private static string StartOrReuse()
    {
        var existing = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(existing))
        {
            return existing;
        }

        var root = RepositoryRoot.Find();
        var exe = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(exe))
        {
            throw new InvalidOperationException($"Azurite is not installed: run ./test.sh, or `npm ci` in {root}, or set {ConnectionVariable}");
        }

        var psi = new ProcessStartInfo(exe)
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("vroeg-azurite-").FullName,
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

        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start Azurite");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        };

        var ports = new Dictionary<string, string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (ports.Count < 3 && DateTime.UtcNow < deadline)
        {
            var line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("Azurite exited during start");
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

        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
               $"BlobEndpoint=http://127.0.0.1:{ports["Blob"]}/devstoreaccount1;" +
               $"QueueEndpoint=http://127.0.0.1:{ports["Queue"]}/devstoreaccount1;" +
               $"TableEndpoint=http://127.0.0.1:{ports["Table"]}/devstoreaccount1;";
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
