using System.Diagnostics;
using System.Text.Json;
using VroegSignalering.Benchmarks.Data;
using VroegSignalering.Testing;

namespace VroegSignalering.Benchmarks.EndToEnd;

/// <summary>
/// The one storage account of an e2e run: $AzureWebJobsStorage when set, otherwise an Azurite started
/// from node_modules (npm ci) in memory on ports the OS picks, stopped when the run ends. The start itself
/// is tests/VroegSignalering.Testing/AzuriteProcess.cs, linked as source so the benchmarks don't depend on xunit.
/// </summary>
internal sealed class LocalAzurite : IDisposable
{
    public const string ConnectionVariable = "AzureWebJobsStorage";

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

        var (process, connection) = AzuriteProcess.Start(Repository.Root, "vroeg-bench-azurite-");
        return new LocalAzurite(connection, $"Azurite {InstalledVersion()} (started by the benchmark, in memory)", process);
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
}
