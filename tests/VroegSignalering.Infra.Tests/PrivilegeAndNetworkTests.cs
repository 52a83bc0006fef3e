using System.Text.Json.Nodes;
using VroegSignalering.Testing;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// Least privilege and private networking (issue 15, scope 4 and 6): the package the app runs from is
/// written by the deployment identity only, basic-auth publishing is off, operator roles come from
/// principalId and are read-only towards data and keys, Service Bus and table access are logged, and
/// privateNetworking puts storage, Service Bus and Key Vault behind private endpoints. Checked on the
/// deployment as main.parameters.json gives it (no principalId, public endpoints) and on one with
/// privateNetworking, Service Bus Premium and an operator principal.
/// </summary>
[Collection(PredictedDeployment.Collection)]
public sealed class PrivilegeAndNetworkTests : IClassFixture<PrivilegeAndNetworkTests.PrivateDeployment>
{
    private const string OperatorId = "00000000-0000-0000-0000-0000000000c3";

    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string WebsiteContributor = "de139f84-1756-47ae-9be6-808fbbe84772";
    private const string MonitoringReader = "43d0d8ad-25c7-4714-9337-8ba259a9fe05";
    private const string KeyVaultReader = "21090545-7ca7-4776-b22c-e363652d74d2";

    private static readonly Dictionary<string, JsonNode?> PrivateParameters = new(StringComparer.Ordinal)
    {
        ["privateNetworking"] = true,
        ["serviceBusSku"] = "Premium",
        ["principalId"] = OperatorId,
        ["principalType"] = "ServicePrincipal",
    };

    private readonly PredictedDeployment _public;
    private readonly PredictedDeployment _private;

    public PrivilegeAndNetworkTests(PredictedDeployment deployment, PrivateDeployment privateDeployment)
    {
        _public = deployment;
        _private = privateDeployment.Deployment;
    }

    public static TheoryData<bool> BothNetworkModes => [false, true];

    [Fact]
    public void The_template_with_private_networking_lints_builds_and_evaluates_cleanly()
    {
        var folder = Directory.CreateTempSubdirectory("vroeg-bicep-private-").FullName;
        try
        {
            var template = Path.GetRelativePath(folder, RepositoryRoot.File("infra/main.bicep")).Replace('\\', '/');
            File.WriteAllText(Path.Combine(folder, "private.bicepparam"), $"""
                using '{template}'
                param environmentName = 'test'
                param gemeenteCodes = ['0363']
                param alertEmail = 'operators@example.org'
                param privateNetworking = true
                param serviceBusSku = 'Premium'
                param principalId = '{OperatorId}'
                """);

            Bicep.Run(folder, "lint", "private.bicepparam", "--no-restore").AssertClean();
            Bicep.Run(folder, "build-params", "private.bicepparam", "--no-restore", "--outfile", Path.Combine(folder, "private.json")).AssertClean();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // The fixture's snapshot evaluated every resource of it without an error.
        Assert.NotEmpty(_private.OfType("Microsoft.Network/privateEndpoints"));
    }

    [Fact]
    public void Private_networking_with_service_bus_standard_is_refused_before_anything_is_created()
    {
        var result = PredictedDeployment.TrySnapshot(new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["privateNetworking"] = true,
            ["serviceBusSku"] = "Standard",
        });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("privateNetworking needs serviceBusSku 'Premium'", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BothNetworkModes))]
    public void The_apps_identity_holds_no_role_on_the_package_account_and_only_the_deployment_identity_writes_the_package(bool privateNetworking)
    {
        var deployment = Deployment(privateNetworking);
        var package = (string)deployment.PackageStorage["id"]!;
        var container = (string)Assert.Single(deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"))["id"]!;
        Assert.StartsWith(package + "/", container, StringComparison.Ordinal);

        var onPackage = deployment.RoleAssignments.Where(a => a.Scope == package || a.Scope.StartsWith(package + "/", StringComparison.Ordinal)).ToList();
        var writer = Assert.Single(onPackage);
        Assert.Equal(container, writer.Scope);
        Assert.Equal(StorageBlobDataContributor, writer.Role);
        Assert.True(IsPrincipalOf(deployment.DeploymentIdentity, writer.PrincipalId), $"package writer is {writer.PrincipalId}");

        // The app's identity writes blobs only in the data account (host leases and timers), never the package.
        var appBlobRoles = deployment.RoleAssignments.Where(a => deployment.IsIdentityProperty(a.PrincipalId, "principalId") && a.Role == StorageBlobDataOwner);
        Assert.All(appBlobRoles, a => Assert.Equal((string)deployment.DataStorage["id"]!, a.Scope));

        // The deployment identity holds nothing else, and nothing the app's clients use names it.
        Assert.Single(deployment.RoleAssignments, a => IsPrincipalOf(deployment.DeploymentIdentity, a.PrincipalId));
        Assert.DoesNotContain(deployment.AppSettings.Values, v => v.Contains((string)deployment.DeploymentIdentity["id"]!, StringComparison.Ordinal));
        Assert.Equal(deployment.IdentityId, (string?)deployment.FunctionApp["properties"]!["keyVaultReferenceIdentity"]);

        var properties = deployment.PackageStorage["properties"]!;
        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("None", (string?)Assert.Single(deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"))["properties"]!["publicAccess"]);
    }

    [Theory]
    [MemberData(nameof(BothNetworkModes))]
    public void Publishing_with_basic_auth_is_off_for_ftp_and_scm(bool privateNetworking)
    {
        var deployment = Deployment(privateNetworking);
        var app = (string)deployment.FunctionApp["name"]!;

        foreach (var kind in new[] { "ftp", "scm" })
        {
            var policy = deployment.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies")
                .SingleOrDefault(p => (string?)p["name"] == $"{app}/{kind}");
            Assert.True(policy is not null, $"no basicPublishingCredentialsPolicies/{kind} on {app}");
            Assert.False((bool)policy["properties"]!["allow"]!, $"{kind} basic auth is allowed");
        }
    }

    [Fact]
    public void Without_a_principal_id_no_operator_role_is_granted()
    {
        Assert.Equal("", (string?)_public.Parameters["principalId"]);

        var others = _public.RoleAssignments
            .Where(a => !_public.IsIdentityProperty(a.PrincipalId, "principalId") && !IsPrincipalOf(_public.DeploymentIdentity, a.PrincipalId));
        Assert.Empty(others);
    }

    [Fact]
    public void A_principal_id_gets_deploy_monitoring_and_vault_metadata_roles_and_nothing_that_reads_data_or_keys()
    {
        var app = (string)_private.FunctionApp["id"]!;
        var vault = (string)_private.Single("Microsoft.KeyVault/vaults")["id"]!;
        var group = $"/subscriptions/{PredictedDeployment.SubscriptionId}/resourceGroups/{PredictedDeployment.ResourceGroup}";
        string[] expected =
        [
            $"{app} {WebsiteContributor}",
            $"{group} {MonitoringReader}",
            $"{vault} {KeyVaultReader}",
        ];

        var granted = _private.RoleAssignments.Where(a => a.PrincipalId == OperatorId).ToList();

        Assert.Equal(expected.Order(StringComparer.Ordinal), granted.Select(a => $"{a.Scope} {a.Role}").Order(StringComparer.Ordinal));
        Assert.All(granted, a => Assert.Equal("ServicePrincipal", a.PrincipalType));
    }

    [Theory]
    [InlineData("Standard", new[] { "OperationalLogs", "VNetAndIPFilteringLogs", "DiagnosticErrorLogs" })]
    [InlineData("Premium", new[] { "OperationalLogs", "VNetAndIPFilteringLogs", "DiagnosticErrorLogs", "RuntimeAuditLogs", "ApplicationMetricsLogs" })]
    public void Service_bus_logs_go_to_the_workspace_with_data_plane_audit_on_premium(string sku, string[] categories)
    {
        var deployment = sku == "Premium" ? _private : _public;
        Assert.Equal(sku, (string?)deployment.Single("Microsoft.ServiceBus/namespaces")["sku"]!["name"]);

        var setting = DiagnosticSetting(deployment, (string)deployment.Single("Microsoft.ServiceBus/namespaces")["id"]!);

        Assert.Equal((string)deployment.Single("Microsoft.OperationalInsights/workspaces")["id"]!, (string?)setting["properties"]!["workspaceId"]);
        Assert.Equal(categories.Order(StringComparer.Ordinal), EnabledCategories(setting).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BothNetworkModes))]
    public void Every_read_write_and_delete_on_the_tables_of_personal_data_is_logged_to_the_workspace(bool privateNetworking)
    {
        var deployment = Deployment(privateNetworking);
        var tables = $"{(string)deployment.DataStorage["id"]!}/tableServices/default";

        var setting = DiagnosticSetting(deployment, tables);

        Assert.Equal((string)deployment.Single("Microsoft.OperationalInsights/workspaces")["id"]!, (string?)setting["properties"]!["workspaceId"]);
        Assert.Equal(["StorageDelete", "StorageRead", "StorageWrite"], EnabledCategories(setting).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Without_private_networking_nothing_of_the_network_is_deployed()
    {
        Assert.Empty(_public.OfType("Microsoft.Network/virtualNetworks"));
        Assert.Empty(_public.OfType("Microsoft.Network/privateEndpoints"));
        Assert.Null(_public.FunctionApp["properties"]!["virtualNetworkSubnetId"]);
        Assert.All(PrivateTargets(_public), t => Assert.Equal("Enabled", (string?)t.Resource["properties"]!["publicNetworkAccess"]));
    }

    [Fact]
    public void With_private_networking_storage_service_bus_and_key_vault_refuse_public_traffic_and_have_a_private_endpoint_in_a_linked_zone()
    {
        var vnet = (string)_private.Single("Microsoft.Network/virtualNetworks")["id"]!;
        var zones = _private.OfType("Microsoft.Network/privateDnsZones").Select(z => ArmExpression.Evaluate((string)z["id"]!)).ToHashSet(StringComparer.Ordinal);
        var links = _private.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks").ToList();
        var endpoints = _private.OfType("Microsoft.Network/privateEndpoints").ToList();
        var zoneGroups = _private.OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups").ToList();

        var targets = PrivateTargets(_private).ToList();
        Assert.Equal(6, targets.Count);
        foreach (var (resource, groupId, zone) in targets)
        {
            var id = (string)resource["id"]!;
            Assert.True("Disabled" == (string?)resource["properties"]!["publicNetworkAccess"], $"{id} accepts public traffic");

            var endpoint = endpoints.SingleOrDefault(e => e["properties"]!["privateLinkServiceConnections"]!.AsArray().Any(c =>
                (string?)c!["properties"]!["privateLinkServiceId"] == id
                && c["properties"]!["groupIds"]!.AsArray().Select(g => (string?)g).SequenceEqual([groupId])));
            Assert.True(endpoint is not null, $"no private endpoint for {id} ({groupId})");
            Assert.EndsWith("/subnets/snet-private-endpoints", (string)endpoint["properties"]!["subnet"]!["id"]!, StringComparison.Ordinal);

            var zoneId = $"/subscriptions/{PredictedDeployment.SubscriptionId}/resourceGroups/{PredictedDeployment.ResourceGroup}/providers/Microsoft.Network/privateDnsZones/{zone}";
            var group = zoneGroups.SingleOrDefault(g => ((string)g["id"]!).StartsWith((string)endpoint["id"]! + "/privateDnsZoneGroups/", StringComparison.Ordinal));
            Assert.True(group is not null, $"private endpoint of {id} ({groupId}) has no DNS zone group");
            Assert.Equal(
                [zoneId],
                group["properties"]!["privateDnsZoneConfigs"]!.AsArray().Select(c => ArmExpression.Evaluate((string)c!["properties"]!["privateDnsZoneId"]!)));

            Assert.Contains(zoneId, zones);
            Assert.Contains(links, l => ArmExpression.Evaluate((string)l["name"]!).StartsWith(zone + "/", StringComparison.Ordinal)
                && (string?)l["properties"]!["virtualNetwork"]!["id"] == vnet
                && (bool?)l["properties"]!["registrationEnabled"] == false);
        }
    }

    [Fact]
    public void With_private_networking_the_app_integrates_with_a_subnet_delegated_to_flex_consumption_and_routes_all_traffic_through_it()
    {
        var properties = _private.FunctionApp["properties"]!;
        var subnetId = (string?)properties["virtualNetworkSubnetId"];
        var vnet = _private.Single("Microsoft.Network/virtualNetworks");
        var subnet = vnet["properties"]!["subnets"]!.AsArray().Single(s => $"{(string)vnet["id"]!}/subnets/{(string)s!["name"]!}" == subnetId)!;

        Assert.Equal(["Microsoft.App/environments"], subnet["properties"]!["delegations"]!.AsArray().Select(d => (string?)d!["properties"]!["serviceName"]));
        Assert.True((bool)properties["outboundVnetRouting"]!["allTraffic"]!);

        // HTTP ingress stays public: creditors post signals over the internet.
        Assert.Null(properties["publicNetworkAccess"]);
        Assert.DoesNotContain(_private.OfType("Microsoft.Network/privateEndpoints"), e =>
            e["properties"]!["privateLinkServiceConnections"]!.AsArray().Any(c => (string?)c!["properties"]!["privateLinkServiceId"] == (string)_private.FunctionApp["id"]!));
    }

    [Fact]
    public void The_vault_keeps_its_name_and_purge_protection_by_default_and_a_new_generation_gets_a_new_name()
    {
        var vault = _public.Single("Microsoft.KeyVault/vaults");
        var token = ((string)_public.FunctionApp["name"]!)["func-vroeg-".Length..];
        Assert.Equal($"kv-vroeg-{token}", (string?)vault["name"]);
        Assert.True((bool)vault["properties"]!["enablePurgeProtection"]!);
        Assert.Equal("default", (string?)vault["properties"]!["createMode"]);

        using var second = PredictedDeployment.With(new Dictionary<string, JsonNode?>(StringComparer.Ordinal) { ["keyVaultGeneration"] = 2 });
        var renamed = second.Single("Microsoft.KeyVault/vaults");
        Assert.Equal($"kv-vroeg-{token}2", (string?)renamed["name"]);
        Assert.True(((string)renamed["name"]!).Length <= 24);
        Assert.True((bool)renamed["properties"]!["enablePurgeProtection"]!);
        Assert.Equal(
            $"@Microsoft.KeyVault(SecretUri=https://kv-vroeg-{token}2.vault.azure.net/secrets/hmac-k1)",
            second.AppSettings["Keys__Hmac__Keys__k1"]);
    }

    private PredictedDeployment Deployment(bool privateNetworking) => privateNetworking ? _private : _public;

    // The resources privateNetworking closes, with the private endpoint sub-resource and the zone it registers in.
    private static IEnumerable<(JsonObject Resource, string GroupId, string Zone)> PrivateTargets(PredictedDeployment deployment)
    {
        yield return (deployment.DataStorage, "blob", "privatelink.blob.core.windows.net");
        yield return (deployment.DataStorage, "queue", "privatelink.queue.core.windows.net");
        yield return (deployment.DataStorage, "table", "privatelink.table.core.windows.net");
        yield return (deployment.PackageStorage, "blob", "privatelink.blob.core.windows.net");
        yield return (deployment.Single("Microsoft.ServiceBus/namespaces"), "namespace", "privatelink.servicebus.windows.net");
        yield return (deployment.Single("Microsoft.KeyVault/vaults"), "vault", "privatelink.vaultcore.azure.net");
    }

    private static bool IsPrincipalOf(JsonObject identity, string principalId) =>
        principalId.StartsWith($"[reference('{(string)identity["id"]!}', ", StringComparison.Ordinal)
        && principalId.EndsWith(").principalId]", StringComparison.Ordinal);

    private static JsonObject DiagnosticSetting(PredictedDeployment deployment, string scope)
    {
        var settings = deployment.OfType("Microsoft.Insights/diagnosticSettings")
            .Where(s => ((string)s["id"]!).StartsWith(scope + "/providers/Microsoft.Insights/diagnosticSettings/", StringComparison.Ordinal))
            .ToList();
        Assert.True(settings.Count == 1, $"expected one diagnostic setting on {scope}, found {settings.Count}");
        return settings[0];
    }

    private static IEnumerable<string> EnabledCategories(JsonObject setting) =>
        setting["properties"]!["logs"]!.AsArray()
            .Where(l => (bool)l!["enabled"]!)
            .Select(l => (string)l!["category"]!);

    /// <summary>The deployment with privateNetworking, Service Bus Premium and an operator principal, evaluated once.</summary>
    public sealed class PrivateDeployment : IDisposable
    {
        public PredictedDeployment Deployment { get; } = PredictedDeployment.With(PrivateParameters);

        public void Dispose() => Deployment.Dispose();
    }
}
