using BenchmarkDotNet.Running;

namespace VroegSignalering.Benchmarks;

// dotnet run -c Release --project bench/VroegSignalering.Benchmarks -- --filter '*Dispatch*' [--job short]
// dotnet run -c Release --project bench/VroegSignalering.Benchmarks -- --filter '*Intake*' --job short
// dotnet run -c Release --project bench/VroegSignalering.Benchmarks -- --filter '*Triage*' --job short
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
