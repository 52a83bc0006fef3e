namespace VroegSignalering.Functions.Tests;

internal static class Fixtures
{
    public static byte[] HostPayload(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "functions-host", name));
}
