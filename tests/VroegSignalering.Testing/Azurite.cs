using VroegSignalering.Azure.Storage;

namespace VroegSignalering.Testing;

/// <summary>
/// The one real Azurite the integration tests share. ./test.sh starts it and exports its connection
/// string as AzureWebJobsStorage; run outside test.sh, the first test that needs it starts one from
/// node_modules (npm ci) on ports the OS picks, and it stops with the test process.
/// </summary>
public static class Azurite
{
    public const string ConnectionVariable = "AzureWebJobsStorage";
    private static readonly Lazy<string> Connection = new(StartOrReuse, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _counter;

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

        var (process, connection) = AzuriteProcess.Start(RepositoryRoot.Find(), "vroeg-azurite-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        };
        return connection;
    }
}
