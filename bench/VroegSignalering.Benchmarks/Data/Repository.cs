namespace VroegSignalering.Benchmarks.Data;

/// <summary>
/// Paths inside the repository. BenchmarkDotNet runs each benchmark from a generated project deep under
/// bin/, so the root is found by walking up to VroegSignalering.sln rather than from the current folder.
/// </summary>
internal static class Repository
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string CreditorsFile => Path.Combine(Root, "config", "local", "creditors.json");

    public static string AddressFile => Path.Combine(Root, "data", "addresses", "pc6hnr20260801_gwb.csv");

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "VroegSignalering.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("VroegSignalering.sln not found above " + AppContext.BaseDirectory);
    }
}
