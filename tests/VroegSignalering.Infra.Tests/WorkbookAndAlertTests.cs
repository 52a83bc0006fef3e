using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VroegSignalering.Core.Common;
using VroegSignalering.Testing;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// Operators see every metric the app emits in the workbook, and are alerted when messages get stuck,
/// functions fail, Service Bus fills up or stalls, or the app goes silent. Metric names come from the
/// code (<see cref="VroegMetrics"/>), not from a list here; every alert links to its runbook section.
/// </summary>
[Collection(PredictedDeployment.Collection)]
public sealed partial class WorkbookAndAlertTests
{
    private readonly PredictedDeployment _deployment;

    public WorkbookAndAlertTests(PredictedDeployment deployment) => _deployment = deployment;

    public static TheoryData<string> MetricsInCode => [.. VroegMetrics.All];

    private string AppInsightsId => (string)_deployment.Single("Microsoft.Insights/components")["id"]!;

    private string ServiceBusId => (string)_deployment.Single("Microsoft.ServiceBus/namespaces")["id"]!;

    private string ActionGroupId => (string)_deployment.Single("Microsoft.Insights/actionGroups")["id"]!;

    private IEnumerable<JsonObject> MetricAlerts => _deployment.OfType("Microsoft.Insights/metricAlerts");

    private IEnumerable<JsonObject> LogAlerts => _deployment.OfType("Microsoft.Insights/scheduledQueryRules");

    [Theory]
    [MemberData(nameof(MetricsInCode))]
    public void The_workbook_has_a_tile_for_every_metric_the_app_emits(string metric)
    {
        Assert.Contains(WorkbookQueries(), query => QuotedMetrics(query).Contains(metric));
    }

    [Fact]
    public void Every_metric_the_workbook_or_an_alert_queries_is_one_the_app_emits()
    {
        var queried = WorkbookQueries().Concat(LogAlerts.Select(Query)).SelectMany(QuotedMetrics).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(queried);
        Assert.All(queried, metric => Assert.Contains(metric, VroegMetrics.All));
    }

    [Fact]
    public void The_metric_names_in_code_are_distinct_and_follow_the_vroeg_prefix()
    {
        Assert.Equal(VroegMetrics.All.Count, VroegMetrics.All.Distinct(StringComparer.Ordinal).Count());
        Assert.All(VroegMetrics.All, name => Assert.Matches(MetricName(), name));
        Assert.Contains(VroegMetrics.Heartbeat, VroegMetrics.All);
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

    // Silence must fire: a query that returns no rows when nothing arrived would resolve the alert
    // exactly when the app is down. summarize without "by" returns one row with 0.
    [Fact]
    public void The_heartbeat_alert_fires_when_no_heartbeat_arrived_for_15_minutes()
    {
        var rule = LogAlert("heartbeat");
        var criterion = Criterion(rule);
        var query = (string)criterion["query"]!;

        Assert.Equal([VroegMetrics.Heartbeat], QuotedMetrics(query));
        Assert.Matches(@"\|\s*summarize\s+heartbeats\s*=\s*count\(\)\s*$", query);
        Assert.Equal("heartbeats", (string?)criterion["metricMeasureColumn"]);
        Assert.Equal("Total", (string?)criterion["timeAggregation"]);
        Assert.Equal("LessThan", (string?)criterion["operator"]);
        Assert.Equal(1, (int)criterion["threshold"]!);
        Assert.Empty(criterion["dimensions"]!.AsArray());
        Assert.Equal("PT15M", (string?)rule["windowSize"]);
        Assert.Equal(0, (int)rule["severity"]!);
    }

    [Theory]
    [InlineData("poison-queues", VroegMetrics.PoisonLength, "GreaterThan", 0, "queue")]
    [InlineData("poison-ageing", VroegMetrics.PoisonAge, "GreaterThan", 24, "queue")]
    [InlineData("quarantine-ageing", VroegMetrics.QuarantineAge, "GreaterThan", 3, "")]
    [InlineData("quarantine-overdue", VroegMetrics.QuarantineOverdue, "GreaterThan", 0, "")]
    [InlineData("outbox-failed", VroegMetrics.OutboxFailed, "GreaterThan", 0, "")]
    [InlineData("escalation-overdue", VroegMetrics.EscalationOverdue, "GreaterThan", 0, "")]
    [InlineData("outbox-pending-growth", VroegMetrics.OutboxPending, "GreaterThan", 0, "")]
    [InlineData("signal-to-task-latency", VroegMetrics.SignalToTask, "GreaterThan", 15, "gemeentecode")]
    public void A_log_alert_watches_its_metric_against_its_threshold(string name, string metric, string op, int threshold, string dimension)
    {
        var rule = LogAlert(name);
        var criterion = Criterion(rule);

        Assert.Contains(metric, QuotedMetrics(Query(rule)));
        Assert.Equal(op, (string?)criterion["operator"]);
        Assert.Equal(threshold, (int)criterion["threshold"]!);
        Assert.Equal(dimension, (string?)criterion["dimensions"]!.AsArray().SingleOrDefault()?["name"] ?? string.Empty);
    }

    [Fact]
    public void Outbox_growth_only_counts_while_the_oldest_pending_row_waits_past_the_sweeper()
    {
        var query = Query(LogAlert("outbox-pending-growth"));

        Assert.Contains(VroegMetrics.OutboxPendingAge, QuotedMetrics(query));
        Assert.Contains("where oldestMinutes > 15", query, StringComparison.Ordinal);
        Assert.Contains("growth = last - first", query, StringComparison.Ordinal);
    }

    [Fact]
    public void Function_failures_raise_an_alert_without_counting_4xx_answers()
    {
        var query = Query(LogAlert("function-failures"));

        Assert.StartsWith("requests", query, StringComparison.Ordinal);
        Assert.Contains("success == false", query, StringComparison.Ordinal);
        Assert.Contains("not(resultCode startswith \"4\")", query, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_log_alert_reads_application_insights()
    {
        Assert.All(LogAlerts, rule => Assert.Equal([AppInsightsId], rule["properties"]!["scopes"]!.AsArray().Select(s => (string)s!)));
    }

    [Theory]
    [InlineData("servicebus-deadletters", "DeadletteredMessages", "Maximum", "GreaterThan", 0L, true)]
    [InlineData("servicebus-topic-size", "Size", "Maximum", "GreaterThan", -80L, true)] // negative: that percentage of the topics' own size
    [InlineData("servicebus-backlog", "ActiveMessages", "Minimum", "GreaterThan", 1000L, true)]
    [InlineData("servicebus-throttled", "ThrottledRequests", "Total", "GreaterThan", 0L, false)]
    [InlineData("servicebus-server-errors", "ServerErrors", "Total", "GreaterThan", 5L, false)]
    public void A_service_bus_metric_alert_watches_the_namespace(string name, string metric, string aggregation, string op, long threshold, bool perEntity)
    {
        var alert = MetricAlert(name);
        var criterion = Assert.Single(alert["criteria"]!["allOf"]!.AsArray())!;

        Assert.Equal([ServiceBusId], alert["scopes"]!.AsArray().Select(s => (string)s!));
        Assert.Equal("Microsoft.ServiceBus/namespaces", (string?)criterion["metricNamespace"]);
        Assert.Equal(metric, (string?)criterion["metricName"]);
        Assert.Equal(aggregation, (string?)criterion["timeAggregation"]);
        Assert.Equal(op, (string?)criterion["operator"]);
        if (threshold < 0)
        {
            var megabytes = Assert.Single(_deployment.OfType("Microsoft.ServiceBus/namespaces/topics").Select(t => (long)t["properties"]!["maxSizeInMegabytes"]!).Distinct());
            threshold = megabytes * 1024 * 1024 / 100 * -threshold;
        }

        Assert.Equal(threshold, (long)criterion["threshold"]!);
        if (perEntity)
        {
            // One topic per gemeente: split by entity is split by gemeente, and '*' covers gemeenten added later.
            var dimension = Assert.Single(criterion["dimensions"]!.AsArray())!;
            Assert.Equal("EntityName", (string?)dimension["name"]);
            Assert.Equal(["*"], dimension["values"]!.AsArray().Select(v => (string)v!));
        }
        else
        {
            Assert.Empty(criterion["dimensions"]!.AsArray());
        }
    }

    [Fact]
    public void Every_gemeente_has_a_stalled_consumer_alert_on_its_own_topic()
    {
        var codes = _deployment.Parameters["gemeenteCodes"]!.AsArray().Select(c => (string)c!).ToList();

        Assert.NotEmpty(codes);
        foreach (var code in codes)
        {
            var alert = MetricAlert($"servicebus-stalled-gm{code}");
            var criteria = alert["criteria"]!["allOf"]!.AsArray().Select(c => c!).ToList();

            Assert.Equal("PT6H", (string?)alert["windowSize"]);
            Assert.Equal(2, criteria.Count);
            Assert.All(criteria, c => Assert.Equal([$"outreach-gm{code}"], Assert.Single(c["dimensions"]!.AsArray())!["values"]!.AsArray().Select(v => (string)v!)));
            var waiting = Assert.Single(criteria, c => (string?)c["metricName"] == "ActiveMessages");
            Assert.Equal(("Minimum", "GreaterThan", 0), ((string)waiting["timeAggregation"]!, (string)waiting["operator"]!, (int)waiting["threshold"]!));
            var completed = Assert.Single(criteria, c => (string?)c["metricName"] == "CompleteMessage");
            Assert.Equal(("Total", "LessThan", 1), ((string)completed["timeAggregation"]!, (string)completed["operator"]!, (int)completed["threshold"]!));
        }

        Assert.Equal(codes.Count, MetricAlerts.Count(a => ((string)a["name"]!).Contains("-servicebus-stalled-gm", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_availability_test_calls_the_health_endpoint_from_several_locations_and_alerts()
    {
        var test = _deployment.Single("Microsoft.Insights/webtests");
        var properties = test["properties"]!;
        var alert = MetricAlert("availability");
        var criteria = alert["criteria"]!;

        Assert.Equal("standard", (string?)test["kind"]);
        Assert.Equal("Resource", (string?)test["tags"]![$"hidden-link:{AppInsightsId}"]);
        Assert.Equal("GET", (string?)properties["Request"]!["HttpVerb"]);
        var url = (string)properties["Request"]!["RequestUrl"]!;
        Assert.StartsWith("[format('https://{0}/api/health', reference('", url, StringComparison.Ordinal);
        Assert.Contains($"/providers/Microsoft.Web/sites/{(string)_deployment.FunctionApp["name"]!}'", url, StringComparison.Ordinal);
        Assert.EndsWith(").defaultHostName)]", url, StringComparison.Ordinal);
        Assert.Equal(200, (int)properties["ValidationRules"]!["ExpectedHttpStatusCode"]!);
        var locations = properties["Locations"]!.AsArray().Select(l => (string)l!["Id"]!).ToList();
        Assert.True(locations.Distinct().Count() >= 3, $"only {locations.Count} locations");

        Assert.Equal("Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria", (string?)criteria["odata.type"]);
        Assert.Equal((string)test["id"]!, (string?)criteria["webTestId"]);
        Assert.Equal(AppInsightsId, (string?)criteria["componentId"]);
        Assert.InRange((int)criteria["failedLocationCount"]!, 2, locations.Count - 1);
        Assert.Equal([(string)test["id"]!, AppInsightsId], alert["scopes"]!.AsArray().Select(s => (string)s!));
    }

    [Fact]
    public void Every_alert_notifies_the_action_group()
    {
        Assert.All(MetricAlerts, a => Assert.Equal([ActionGroupId], a["properties"]!["actions"]!.AsArray().Select(x => (string)x!["actionGroupId"]!)));
        Assert.All(LogAlerts, a => Assert.Equal([ActionGroupId], a["properties"]!["actions"]!["actionGroups"]!.AsArray().Select(x => (string)x!)));
        Assert.All(MetricAlerts.Concat(LogAlerts), a => Assert.True((bool)a["properties"]!["enabled"]!));
    }

    [Fact]
    public void Alerts_are_mailed_to_the_address_azd_passes_in()
    {
        var receivers = _deployment.Single("Microsoft.Insights/actionGroups")["properties"]!["emailReceivers"]!.AsArray();

        var receiver = Assert.Single(receivers)!;
        Assert.Equal(PredictedDeployment.AzdEnvironment["VROEG_ALERT_EMAIL"], (string?)receiver["emailAddress"]);
    }

    // azd fills ${VROEG_ALERT_EMAIL} with an empty string when it is not set: that must stop the
    // deployment, not create an action group nobody receives.
    [Fact]
    public void A_deployment_without_an_alert_address_is_refused()
    {
        var parameter = _deployment.Template["parameters"]!["alertEmail"]!;
        Assert.Null(parameter["defaultValue"]);
        Assert.True((int?)parameter["minLength"] >= 1);
        Assert.Equal("${VROEG_ALERT_EMAIL}", (string?)JsonNode.Parse(File.ReadAllText(RepositoryRoot.File("infra", "main.parameters.json")))!["parameters"]!["alertEmail"]!["value"]);

        var folder = Directory.CreateTempSubdirectory("vroeg-noalert-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "main.json"), _deployment.CompiledTemplate);
            File.WriteAllText(Path.Combine(folder, "main.bicepparam"), """
                using './main.json'
                param environmentName = 'test'
                param gemeenteCodes = ['0363']
                param alertEmail = ''
                """);

            var result = Bicep.Run(folder, "build-params", "main.bicepparam", "--stdout");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("minimum allowable length", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Several_alert_addresses_separated_by_commas_each_become_a_receiver()
    {
        using var deployment = PredictedDeployment.With(new Dictionary<string, JsonNode?>(StringComparer.Ordinal) { ["alertEmail"] = "a@example.org, b@example.org," });

        var group = deployment.Single("Microsoft.Insights/actionGroups");

        Assert.Equal(["a@example.org", "b@example.org"], group["properties"]!["emailReceivers"]!.AsArray().Select(r => (string)r!["emailAddress"]!));
    }

    [Fact]
    public void Every_alert_links_to_a_runbook_section_under_alerts_in_operations_md()
    {
        var anchors = AlertRunbookAnchors();
        var alerts = MetricAlerts.Concat(LogAlerts).ToList();

        Assert.True(alerts.Count >= 15, $"expected every alert, found {alerts.Count}");
        foreach (var alert in alerts)
        {
            var description = (string)alert["properties"]!["description"]!;
            var link = RunbookLink().Match(description);
            Assert.True(link.Success, $"{alert["name"]}: description does not link to docs/operations.md#…: {description}");
            Assert.True(anchors.Contains(link.Groups["anchor"].Value), $"{alert["name"]}: docs/operations.md has no section #{link.Groups["anchor"].Value} under ## Alerts");
        }
    }

    [Theory]
    [InlineData("### Alert: heartbeat", "alert-heartbeat")]
    [InlineData("### Alert: signal-to-task-latency", "alert-signal-to-task-latency")]
    [InlineData("## Poison queues and dead letters", "poison-queues-and-dead-letters")]
    [InlineData("## Running the `vroeg` commands against Azure", "running-the-vroeg-commands-against-azure")]
    public void Anchors_are_computed_as_github_does(string heading, string anchor)
    {
        Assert.Equal(anchor, GitHubAnchor(heading));
    }

    // The anchors of the headings below "## Alerts" (until the next level-2 heading), as GitHub makes them.
    private static HashSet<string> AlertRunbookAnchors()
    {
        var lines = File.ReadAllLines(RepositoryRoot.File("docs", "operations.md"));
        var start = Array.IndexOf(lines, "## Alerts");
        Assert.True(start >= 0, "docs/operations.md has no '## Alerts' section");
        return lines.Skip(start + 1)
            .TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("### ", StringComparison.Ordinal))
            .Select(GitHubAnchor)
            .ToHashSet(StringComparer.Ordinal);
    }

    // GitHub: strip the #s, lower-case, drop everything but letters, digits, spaces, '-' and '_', spaces to '-'.
    private static string GitHubAnchor(string heading)
    {
        var text = heading.TrimStart('#').Trim().ToLower(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('-');
            }
        }

        return sb.ToString();
    }

    private JsonNode LogAlert(string name) =>
        Assert.Single(LogAlerts, r => ((string)r["name"]!).EndsWith($"-{name}", StringComparison.Ordinal))["properties"]!;

    private JsonNode MetricAlert(string name) =>
        Assert.Single(MetricAlerts, r => ((string)r["name"]!).EndsWith($"-{name}", StringComparison.Ordinal))["properties"]!;

    private static JsonNode Criterion(JsonNode rule) => Assert.Single(rule["criteria"]!["allOf"]!.AsArray())!;

    private static string Query(JsonNode rule) => (string)Criterion(rule is JsonObject o && o.ContainsKey("properties") ? o["properties"]! : rule)["query"]!;

    private static List<string> QuotedMetrics(string query) =>
        [.. QuotedMetric().Matches(query).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal)];

    private JsonObject Definition() =>
        JsonNode.Parse((string)_deployment.Single("Microsoft.Insights/workbooks")["properties"]!["serializedData"]!)!.AsObject();

    private IEnumerable<string> WorkbookQueries() =>
        Definition()["items"]!.AsArray()
            .Where(item => (int)item!["type"]! == 3)
            .Select(item => (string)item!["content"]!["query"]!);

    [GeneratedRegex("\"(?<name>vroeg\\.[a-z0-9_.]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedMetric();

    [GeneratedRegex(@"^vroeg(\.[a-z0-9_]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex MetricName();

    [GeneratedRegex(@"docs/operations\.md#(?<anchor>[a-z0-9_-]+)", RegexOptions.CultureInvariant)]
    private static partial Regex RunbookLink();
}
