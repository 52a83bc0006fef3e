using VroegSignalering.Functions;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddVroegFunctions();

var app = builder.Build();
app.MapVroegFunctions();
app.Run();

/// <summary>Entry point; public so tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
