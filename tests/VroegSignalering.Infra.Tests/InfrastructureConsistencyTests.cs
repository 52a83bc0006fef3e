using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using VroegSignalering.Azure.ServiceBus;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Testing;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// The app (the triggers in functions.metadata, host.json, the configuration keys it reads) and infra/ agree:
/// every setting a binding needs exists, every queue and topic the app uses is created, and every
/// connection goes through the app's managed identity.
/// </summary>
[Collection(PredictedDeployment.Collection)]
public sealed class InfrastructureConsistencyTests
{

    private readonly PredictedDeployment _deployment;

    public InfrastructureConsistencyTests(PredictedDeployment deployment) => _deployment = deployment;

    private IReadOnlyDictionary<string, string> Settings => _deployment.AppSettings;

    private string ServiceBusNamespace => (string)_deployment.Single("Microsoft.ServiceBus/namespaces")["name"]!;

    private IReadOnlyList<string> GemeenteCodes => _deployment.Parameters["gemeenteCodes"]!.AsArray().Select(c => (string)c!).ToList();

    // The app's own choice of topic for a gemeente, from the settings infra gives it.
    private string TopicOf(string gemeentecode) =>
        new ServiceBusTransportOptions { TopicPrefix = Settings["Dispatch__ServiceBus__TopicPrefix"], Subscription = Settings["Dispatch__ServiceBus__Subscription"] }.TopicFor(gemeentecode);

    [Fact]
    public void Every_binding_in_functions_metadata_resolves_against_the_deployment()
    {
        var functions = FunctionDefinition.FromMetadata();

        Assert.Equal(25, functions.Count);
        Assert.Empty(BindingCheck.Problems(functions, _deployment));
    }

    [Fact]
    public void Every_setting_functions_metadata_references_is_an_app_setting()
    {
        var referenced = FunctionDefinition.FromMetadata()
            .SelectMany(f => f.Bindings.SelectMany(BindingCheck.SettingReferences))
            .Distinct(StringComparer.Ordinal);

        Assert.Equal(["DispatchQueue", "EscalateOverdueSchedule", "PipelineGaugesSchedule", "RetentionSchedule", "SignalsIntakeQueue", "SweepOutboxSchedule", "TriageCasesSchedule"], referenced.Order(StringComparer.Ordinal));
        Assert.All(referenced, name => Assert.True(Settings.ContainsKey(name), $"%{name}% has no app setting"));
    }

    // The pipeline of docs/ARCHITECTURE (intake queue, triage and sweeper
    // timers, dispatch queue) as bindings: proves the check accepts what the app declares. Outcomes come over HTTP.
    [Fact]
    public void The_bindings_the_pipeline_needs_resolve_against_the_deployment()
    {
        FunctionDefinition[] pipeline =
        [
            Function("ProcessSignals", """{ "type": "queueTrigger", "direction": "in", "name": "message", "queueName": "%SignalsIntakeQueue%" }"""),
            Function("DispatchOutreach", """{ "type": "queueTrigger", "direction": "in", "name": "message", "queueName": "%DispatchQueue%" }"""),
            Function("SweepOutbox", """{ "type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "%SweepOutboxSchedule%" }"""),
            Function("TriageCases", """{ "type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "%TriageCasesSchedule%" }"""),
        ];

        Assert.Empty(BindingCheck.Problems(pipeline, _deployment));
    }

    [Fact]
    public void A_binding_the_deployment_cannot_serve_is_reported()
    {
        FunctionDefinition[] broken =
        [
            Function("Unknown", """{ "type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "%NoSuchSchedule%" }"""),
            Function("WrongQueue", """{ "type": "queueTrigger", "direction": "in", "name": "message", "queueName": "somebody-elses-queue" }"""),
            Function("KeyedConnection", """{ "type": "queueTrigger", "direction": "in", "name": "message", "queueName": "dispatch", "connection": "OtherStorage" }"""),
            Function("MissingTopic", """{ "type": "serviceBusTrigger", "direction": "in", "name": "message", "topicName": "outreach-gm9999", "subscriptionName": "tasks", "connection": "ServiceBusConnection" }"""),
        ];

        var problems = BindingCheck.Problems(broken, _deployment);

        Assert.Contains(problems, p => p.StartsWith("Unknown", StringComparison.Ordinal) && p.Contains("%NoSuchSchedule%", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("WrongQueue", StringComparison.Ordinal) && p.Contains("does not write to", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("KeyedConnection", StringComparison.Ordinal) && p.Contains("OtherStorage__accountName", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MissingTopic", StringComparison.Ordinal) && p.Contains("gm9999", StringComparison.Ordinal));
    }

    [Fact]
    public void The_queues_the_app_writes_to_are_named_by_settings_and_created_in_storage()
    {
        Assert.Equal("signals-intake", Settings["SignalsIntakeQueue"]);
        Assert.Equal("dispatch", Settings["DispatchQueue"]);
        Assert.Equal(
            BindingCheck.QueuesTheAppWritesTo.Order(StringComparer.Ordinal),
            _deployment.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => ((string)q["name"]!).Split('/')[^1]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Dispatch_sends_each_gemeentes_tasks_to_its_own_topic_which_drops_resent_tasks()
    {
        Assert.Equal("ServiceBus", Settings["Dispatch__Transport"]);
        Assert.Equal($"{ServiceBusNamespace}.servicebus.windows.net", Settings["Dispatch__ServiceBus__FullyQualifiedNamespace"]);
        Assert.True(_deployment.IsIdentityProperty(Settings["Dispatch__ServiceBus__ClientId"], "clientId"));

        var topics = _deployment.OfType("Microsoft.ServiceBus/namespaces/topics").ToList();
        Assert.Equal(GemeenteCodes.Select(c => $"{ServiceBusNamespace}/{TopicOf(c)}").Order(StringComparer.Ordinal), topics.Select(t => (string)t["name"]!).Order(StringComparer.Ordinal));
        Assert.All(topics, topic =>
        {
            Assert.True((bool)topic["properties"]!["requiresDuplicateDetection"]!);
            Assert.False(string.IsNullOrEmpty((string?)topic["properties"]!["duplicateDetectionHistoryTimeWindow"]));
            Assert.NotNull(topic["properties"]!["maxSizeInMegabytes"]);
        });
    }

    [Fact]
    public void The_time_to_live_infra_gives_the_topics_is_the_one_the_app_stamps_on_every_task()
    {
        var days = _deployment.Template["parameters"]!["messageTimeToLiveDays"]!["defaultValue"]!.GetValue<int>();
        var stamped = new ConfigurationBuilder().AddInMemoryCollection([new("Dispatch:TimeToLive", Settings["Dispatch__TimeToLive"])]).Build()
            .GetSection(OutreachOptions.Section).Get<OutreachOptions>()!.TimeToLive;

        Assert.Equal(TimeSpan.FromDays(days), stamped);
        Assert.All(_deployment.OfType("Microsoft.ServiceBus/namespaces/topics").Concat(_deployment.OfType("Microsoft.ServiceBus/namespaces/topics/subscriptions")), entity =>
            Assert.Equal(System.Xml.XmlConvert.ToString(stamped), (string?)entity["properties"]!["defaultMessageTimeToLive"]));
    }

    [Fact]
    public void Log_retention_takes_only_the_values_application_insights_accepts()
    {
        var allowed = _deployment.Template["parameters"]!["logRetentionInDays"]!["allowedValues"]!.AsArray().Select(v => v!.GetValue<int>());

        Assert.Equal([30, 60, 90, 120, 180, 270, 365, 550, 730], allowed);
    }

    [Fact]
    public void Outcomes_come_over_http_so_infra_has_no_service_bus_queue_or_receive_settings()
    {
        Assert.Empty(_deployment.OfType("Microsoft.ServiceBus/namespaces/queues"));
        Assert.DoesNotContain(Settings.Keys, k => k.StartsWith("ServiceBusConnection", StringComparison.Ordinal) || k == "OutcomesQueue");
        Assert.DoesNotContain(FunctionDefinition.FromMetadata().SelectMany(f => f.Bindings), b => ((string?)b["type"] ?? "").StartsWith("serviceBus", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void No_subscription_can_see_another_gemeentes_tasks_because_each_sits_on_its_gemeentes_own_topic()
    {
        var codes = GemeenteCodes;
        Assert.NotEmpty(codes);
        Assert.All(codes, code => Assert.Matches("^[0-9]{4}$", code));

        // A new subscription starts with the catch-all rule; on a topic only its own gemeente's tasks reach, that shows it nothing it may not see.
        var subscriptions = _deployment.OfType("Microsoft.ServiceBus/namespaces/topics/subscriptions").ToList();
        Assert.Equal(codes.Select(c => $"{ServiceBusNamespace}/{TopicOf(c)}/{Settings["Dispatch__ServiceBus__Subscription"]}").Order(StringComparer.Ordinal),
            subscriptions.Select(s => (string)s["name"]!).Order(StringComparer.Ordinal));
        foreach (var code in codes)
        {
            var subscription = subscriptions.Single(s => ((string)s["name"]!).Contains($"/{TopicOf(code)}/", StringComparison.Ordinal))["properties"]!;
            Assert.True((bool)subscription["requiresSession"]!);
            Assert.True((bool)subscription["deadLetteringOnMessageExpiration"]!);
            Assert.Equal(10, (int)subscription["maxDeliveryCount"]!);

            // Defence in depth: exactly one rule, the default rule rewritten from "1=1" to this gemeente's filter.
            var rule = Assert.Single(_deployment.OfType("Microsoft.ServiceBus/namespaces/topics/subscriptions/rules"), r => ((string)r["name"]!).Contains($"/{TopicOf(code)}/", StringComparison.Ordinal));
            Assert.EndsWith("/$Default", (string)rule["name"]!, StringComparison.Ordinal);
            Assert.Equal("SqlFilter", (string?)rule["properties"]!["filterType"]);
            Assert.Equal($"gemeentecode = '{code}'", (string?)rule["properties"]!["sqlFilter"]!["sqlExpression"]);
        }
    }

    [Fact]
    public void Storage_is_reached_with_the_identity_and_never_with_a_key()
    {
        var account = _deployment.DataStorage;
        Assert.Equal((string)account["name"]!, Settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", Settings["AzureWebJobsStorage__credential"]);
        Assert.True(_deployment.IsIdentityProperty(Settings["AzureWebJobsStorage__clientId"], "clientId"));
        Assert.False(Settings.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage must not be a connection string");

        var properties = account["properties"]!;
        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);

        Assert.DoesNotContain(Settings.Values, v => v.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(_deployment.AllStrings(), s => s.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("listKeys(", _deployment.CompiledTemplate, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listConnectionStrings(", _deployment.CompiledTemplate, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Key_vault_references_resolve_with_the_apps_identity()
    {
        var site = _deployment.FunctionApp;
        Assert.Equal(_deployment.IdentityId, (string?)site["properties"]!["keyVaultReferenceIdentity"]);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        // The app's identity, and the deployment identity the platform writes the package with (nothing else).
        Assert.Equal(
            [_deployment.IdentityId, (string)_deployment.DeploymentIdentity["id"]!],
            site["identity"]!["userAssignedIdentities"]!.AsObject().Select(p => p.Key));

        var vault = _deployment.Single("Microsoft.KeyVault/vaults");
        Assert.True((bool)vault["properties"]!["enableRbacAuthorization"]!);
        Assert.True((bool)vault["properties"]!["enableSoftDelete"]!);

        var secretBase = $"@Microsoft.KeyVault(SecretUri=https://{(string)vault["name"]!}.vault.azure.net/secrets/";
        Assert.Equal(secretBase + "hmac-k1)", Settings["Keys__Hmac__Keys__k1"]);
        Assert.Equal(secretBase + "encryption-k1)", Settings["Keys__Encryption__Keys__k1"]);
        Assert.Equal("k1", Settings["Keys__Hmac__ActiveKeyId"]);
        Assert.Equal("k1", Settings["Keys__Encryption__ActiveKeyId"]);

        // Key material is never a literal in the template; at most a secure parameter.
        Assert.All(_deployment.OfType("Microsoft.KeyVault/vaults/secrets"), secret =>
            Assert.StartsWith("[parameters(", (string)secret["properties"]!["value"]!, StringComparison.Ordinal));
    }

    [Fact]
    public void The_isolated_worker_runs_on_the_runtime_flex_consumption_provides_with_no_custom_handler()
    {
        var host = JsonNode.Parse(File.ReadAllText(RepositoryRoot.File("host.json")))!;
        Assert.Null(host["customHandler"]);
        Assert.Null(host["extensionBundle"]);
        var worker = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "worker.config.json")))!["description"]!;
        Assert.Equal("dotnet-isolated", (string?)worker["language"]);
        Assert.Equal("VroegSignalering.Functions.dll", (string?)worker["defaultWorkerPath"]);

        var site = _deployment.FunctionApp;
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        var config = site["properties"]!["functionAppConfig"]!;
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);

        var plan = _deployment.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);

        // Flex Consumption takes these from functionAppConfig and rejects or ignores them as app settings.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", Settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", Settings.Keys);
        Assert.DoesNotContain("WEBSITE_RUN_FROM_PACKAGE", Settings.Keys);
        Assert.DoesNotContain(_deployment.AllStrings(), v => v.Contains("customHandler", StringComparison.OrdinalIgnoreCase) || v.Contains("FUNCTIONS_CUSTOMHANDLER", StringComparison.Ordinal));
    }

    [Fact]
    public void The_app_package_is_deployed_from_the_package_storage_container_with_the_deployment_identity()
    {
        var storage = (JsonObject)_deployment.FunctionApp["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        var container = Assert.Single(_deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"));
        var account = (string)_deployment.PackageStorage["name"]!;
        var containerName = ((string)container["name"]!).Split('/')[^1];

        Assert.Equal("blobContainer", (string?)storage["type"]);
        Assert.Equal($"https://{account}.blob.core.windows.net/{containerName}", ArmExpression.Evaluate((string)storage["value"]!));
        Assert.Equal("UserAssignedIdentity", (string?)storage["authentication"]!["type"]);
        Assert.Equal((string)_deployment.DeploymentIdentity["id"]!, (string?)storage["authentication"]!["userAssignedIdentityResourceId"]);
    }

    [Fact]
    public void Telemetry_goes_to_application_insights_with_entra_id_auth()
    {
        var appInsights = _deployment.Single("Microsoft.Insights/components");
        Assert.True((bool)appInsights["properties"]!["DisableLocalAuth"]!);
        Assert.Contains((string)appInsights["id"]!, Settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
        Assert.StartsWith($"[format('ClientId={{0}};Authorization=AAD', reference('{_deployment.IdentityId}', ", Settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);

        Assert.True((bool)_deployment.Single("Microsoft.ServiceBus/namespaces")["properties"]!["disableLocalAuth"]!);
    }

    [Fact]
    public void The_identity_holds_exactly_the_data_roles_the_app_needs_at_the_narrowest_scope()
    {
        var storage = (string)_deployment.DataStorage["id"]!;
        var topics = GemeenteCodes.Select(c => (string)_deployment.Find("Microsoft.ServiceBus/namespaces/topics", TopicOf(c))!["id"]!);
        var vault = (string)_deployment.Single("Microsoft.KeyVault/vaults")["id"]!;
        var appInsights = (string)_deployment.Single("Microsoft.Insights/components")["id"]!;
        string[] expected =
        [
            $"{storage} b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
            $"{storage} 974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
            $"{storage} 0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
            .. topics.Select(topic => $"{topic} 69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"), // Azure Service Bus Data Sender, on each gemeente's topic only
            $"{vault} 4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
            $"{appInsights} 3913510d-42f4-4e42-8a64-420c390055eb", // Monitoring Metrics Publisher
        ];

        // The app's identity only; the deployment identity's one role is checked in PrivilegeAndNetworkTests.
        var assignments = _deployment.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => _deployment.IsIdentityProperty((string)a["properties"]!["principalId"]!, "principalId"))
            .ToList();
        var actual = assignments.Select(a =>
        {
            var id = (string)a["id"]!;
            var scope = id[..id.IndexOf("/providers/Microsoft.Authorization/", StringComparison.Ordinal)];
            var role = ((string)a["properties"]!["roleDefinitionId"]!).Split('/')[^1];
            return $"{scope} {role}";
        });

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
        Assert.All(assignments, a =>
        {
            Assert.True(_deployment.IsIdentityProperty((string)a["properties"]!["principalId"]!, "principalId"));
            Assert.Equal("ServicePrincipal", (string?)a["properties"]!["principalType"]);
        });
    }

    [Fact]
    public void The_parameters_file_sets_only_parameters_the_template_declares_and_every_required_one()
    {
        var declared = _deployment.Template["parameters"]!.AsObject();

        Assert.All(_deployment.Parameters.Keys, name => Assert.True(declared.ContainsKey(name), $"main.parameters.json sets unknown parameter '{name}'"));
        Assert.All(
            declared.Where(p => p.Value!["defaultValue"] is null),
            p => Assert.True(_deployment.Parameters.ContainsKey(p.Key), $"main.parameters.json does not set required parameter '{p.Key}'"));
    }

    [Fact]
    public void Azd_deploys_the_functions_project_to_the_app_tagged_for_it()
    {
        var azureYaml = File.ReadAllLines(RepositoryRoot.File("azure.yaml")).Select(l => l.TrimEnd()).ToList();

        Assert.Contains("  functions:", azureYaml);
        Assert.Contains("    project: ./functions", azureYaml);
        Assert.Contains("    language: dotnet", azureYaml);
        Assert.Contains("    host: function", azureYaml);
        Assert.Equal("functions", (string?)_deployment.FunctionApp["tags"]!["azd-service-name"]);
    }

    private static FunctionDefinition Function(string name, string binding) =>
        FunctionDefinition.Parse(name, $$"""{ "bindings": [ {{binding}} ] }""");
}
