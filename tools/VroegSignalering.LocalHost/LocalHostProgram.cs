namespace VroegSignalering.LocalHost;

/// <summary>
/// Runs the Functions app on one machine without the Functions host: the same function classes, on the
/// same service registration as functions/Program.cs, driven by their triggers in functions.metadata.
/// </summary>
public sealed class LocalHostProgram
{
    private LocalHostProgram()
    {
    }

    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddLocalFunctionsHost();
        var app = builder.Build();
        app.MapLocalFunctions();
        app.Run();
    }
}
