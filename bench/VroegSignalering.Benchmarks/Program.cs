using BenchmarkDotNet.Running;
using VroegSignalering.Benchmarks.EndToEnd;

namespace VroegSignalering.Benchmarks;

// dotnet run -c Release --project bench/VroegSignalering.Benchmarks -- --filter '*Dispatch*' [--job short]
// dotnet run -c Release --project bench/VroegSignalering.Benchmarks -- --filter '*Intake*' --job short
// dotnet run -c Release --project bench/VroegSignalering.Benchmarks -- --filter '*Triage*' --job short
// dotnet run -c Release --project bench/VroegSignalering.Benchmarks -- e2e --signals 5000
//
// A named class rather than top-level statements: the Functions app's entry point is the global
// `Program`, which e2e mode hosts; a second global Program here would shadow it.
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "e2e")
        {
            // I/O bound and minutes long: timed once by hand rather than by BenchmarkDotNet's iterations.
            return await EndToEndBenchmark.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
