namespace VroegSignalering.Testing;

/// <summary>Finds the repository root (the folder holding VroegSignalering.sln) from the test's folder.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "VroegSignalering.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("VroegSignalering.sln not found above " + AppContext.BaseDirectory);
    }

    public static string File(params string[] parts) => Path.Combine([Find(), .. parts]);
}
