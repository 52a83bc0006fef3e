using System.Net;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.LocalHost;

namespace VroegSignalering.Functions.Tests.LocalHost;

/// <summary>
/// The local host reads functions.metadata from its own output, as the Functions host does in Azure,
/// and drives every function of the app by its trigger.
/// </summary>
public sealed class LocalFunctionsTests
{
    [Fact]
    public void Every_queue_and_timer_function_gets_a_listener_on_its_resolved_queue_or_schedule()
    {
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["TriageCasesSchedule"] = "*/7 * * * * *" });
        var functions = app.Services.GetRequiredService<LocalFunctions>();
        var settings = app.Settings;

        Assert.Equal(settings["SignalsIntakeQueue"], functions.Queue("ProcessSignals").QueueName);
        Assert.Equal(settings["SignalsIntakeQueue"] + "-poison", functions.Queue("ProcessSignals").PoisonQueueName);
        Assert.Equal(settings["DispatchQueue"], functions.Queue("DispatchOutreach").QueueName);
        Assert.Equal("*/7 * * * * *", functions.Timer("TriageCases").Expression);
        Assert.Equal("0 */2 * * * *", functions.Timer("SweepOutbox").Expression); // appsettings.json, the app's default
        Assert.Equal("0 * * * * *", functions.Timer("SamplePipeline").Expression);
        Assert.Equal("0 7 * * * *", functions.Timer("EscalateOverdue").Expression); // appsettings.json: the local host drives it hourly too
        Assert.Equal("0 30 2 * * *", functions.Timer("PurgeRetention").Expression); // daily, from appsettings.json
        Assert.Equal(["AssignQuarantinedSignal", "CheckKeyRetirement", "CloseCase", "CreditorFeedback", "ExportDdas", "Health", "IngestSignals", "IntakeStatus", "KeyUsage", "OpenApi", "RecordContactAttempt", "RecordHelpDecision", "RedriveQuarantine", "RetryOutbox", "RewrapKeys", "RunRetention", "StorageRequests", "TaskOutcome"], functions.Http.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_function_disabled_by_the_hosts_setting_is_not_driven()
    {
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["AzureWebJobs.SweepOutbox.Disabled"] = "true" });
        var functions = app.Services.GetRequiredService<LocalFunctions>();

        Assert.Throws<KeyNotFoundException>(() => functions.Timer("SweepOutbox"));
        Assert.Equal("TriageCases", functions.Timer("TriageCases").FunctionName);
    }

    [Fact]
    public void A_missing_setting_a_trigger_names_stops_the_start_and_names_it()
    {
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["TriageCasesSchedule"] = null });

        var ex = Assert.ThrowsAny<Exception>(() => app.Services.GetRequiredService<LocalFunctions>());

        Assert.Contains("TriageCasesSchedule", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_parameter_the_local_host_cannot_bind_fails_the_start_naming_function_and_parameter()
    {
        var ex = Assert.Throws<NotSupportedException>(() => Probes.Bind<ProbeContextFunction>("queueTrigger", "message", """{ "queueName": "q" }"""));

        Assert.Contains("ProbeContext", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'context'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/health", HttpStatusCode.OK)]
    [InlineData("GET", "/api/openapi/v1.json", HttpStatusCode.OK)]
    [InlineData("POST", "/api/v1/signals", HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/api/v1/intake/r-1", HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/api/v1/signals", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "/api/health", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/api/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("GET", "/v1/intake/r-1", HttpStatusCode.NotFound)]
    public async Task Http_functions_answer_on_their_route_under_the_route_prefix_and_only_for_their_methods(string method, string path, HttpStatusCode expected)
    {
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["Health:TimeoutSeconds"] = "30" });
        using var client = app.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(expected, response.StatusCode);
    }
}
