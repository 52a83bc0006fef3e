using System.Text.Json.Nodes;

namespace VroegSignalering.Infra.Tests;

/// <summary>Operators see the pipeline in the workbook and are alerted when messages get stuck or functions fail.</summary>
[Collection(PredictedDeployment.Collection)]
public sealed class WorkbookAndAlertTests
{
    private readonly PredictedDeployment _deployment;

    public WorkbookAndAlertTests(PredictedDeployment deployment) => _deployment = deployment;

    private string AppInsightsId => (string)_deployment.Single("Microsoft.Insights/components")["id"]!;

    [Theory]
    [InlineData("vroeg.intake.signals.accepted")]
    [InlineData("vroeg.intake.signals.rejected")]
    [InlineData("vroeg.intake.signals.quarantined")]
    [InlineData("vroeg.cases.opened")]
    [InlineData("vroeg.triage.tasks")]
    [InlineData("vroeg.pipeline.signal_to_task.seconds")]
    [InlineData("vroeg.outbox.pending")]
    [InlineData("vroeg.outbox.failed")]
    [InlineData("vroeg.queue.age.seconds")]
    [InlineData("vroeg.queue.poison.length")]
    public void The_workbook_has_a_tile_for_the_metric(string metric)
    {
        Assert.Contains(WorkbookQueries(), query => query.Contains($"\"{metric}\"", StringComparison.Ordinal));
    }

    [Fact]
    public void The_workbook_shows_function_failures_and_is_bound_to_application_insights()
    {
        var workbook = _deployment.Single("Microsoft.Insights/workbooks");
        var definition = Definition();

        Assert.Contains(WorkbookQueries(), query => query.StartsWith("requests", StringComparison.Ordinal) && query.Contains("success == false", StringComparison.Ordinal));
        Assert.Equal(AppInsightsId, (string?)workbook["properties"]!["sourceId"]);
        Assert.Equal([AppInsightsId], definition["fallbackResourceIds"]!.AsArray().Select(id => (string)id!));
        Assert.Equal("Notebook/1.0", (string?)definition["version"]);
    }

    [Fact]
    public void Dead_lettered_messages_on_any_service_bus_entity_raise_an_alert()
    {
        var alert = _deployment.Single("Microsoft.Insights/metricAlerts")["properties"]!;
        var criterion = Assert.Single(alert["criteria"]!["allOf"]!.AsArray())!;

        Assert.Equal([(string)_deployment.Single("Microsoft.ServiceBus/namespaces")["id"]!], alert["scopes"]!.AsArray().Select(s => (string)s!));
        Assert.Equal("DeadletteredMessages", (string?)criterion["metricName"]);
        Assert.Equal("GreaterThan", (string?)criterion["operator"]);
        Assert.Equal(0, (int)criterion["threshold"]!);
        var dimension = Assert.Single(criterion["dimensions"]!.AsArray())!;
        Assert.Equal("EntityName", (string?)dimension["name"]);
        Assert.Equal(["*"], dimension["values"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(ActionGroupId, (string?)Assert.Single(alert["actions"]!.AsArray())!["actionGroupId"]);
    }

    [Theory]
    [InlineData("poison-queues", "vroeg.queue.poison.length")]
    [InlineData("outbox-failed", "vroeg.outbox.failed")]
    [InlineData("function-failures", "success == false")]
    public void A_log_alert_fires_when_its_query_finds_anything(string name, string queryText)
    {
        var rule = Assert.Single(_deployment.OfType("Microsoft.Insights/scheduledQueryRules"), r => ((string)r["name"]!).EndsWith($"-{name}", StringComparison.Ordinal))["properties"]!;
        var criterion = Assert.Single(rule["criteria"]!["allOf"]!.AsArray())!;

        Assert.Equal([AppInsightsId], rule["scopes"]!.AsArray().Select(s => (string)s!));
        Assert.Contains(queryText, (string)criterion["query"]!, StringComparison.Ordinal);
        Assert.Equal("GreaterThan", (string?)criterion["operator"]);
        Assert.Equal(0, (int)criterion["threshold"]!);
        Assert.Equal([ActionGroupId], rule["actions"]!["actionGroups"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public void Alerts_are_mailed_to_the_address_azd_passes_in()
    {
        var receivers = _deployment.Single("Microsoft.Insights/actionGroups")["properties"]!["emailReceivers"]!.AsArray();

        var receiver = Assert.Single(receivers)!;
        Assert.Equal(PredictedDeployment.AzdEnvironment["VROEG_ALERT_EMAIL"], (string?)receiver["emailAddress"]);
    }

    private string ActionGroupId => (string)_deployment.Single("Microsoft.Insights/actionGroups")["id"]!;

    private JsonObject Definition() =>
        JsonNode.Parse((string)_deployment.Single("Microsoft.Insights/workbooks")["properties"]!["serializedData"]!)!.AsObject();

    private IEnumerable<string> WorkbookQueries() =>
        Definition()["items"]!.AsArray()
            .Where(item => (int)item!["type"]! == 3)
            .Select(item => (string)item!["content"]!["query"]!);
}
