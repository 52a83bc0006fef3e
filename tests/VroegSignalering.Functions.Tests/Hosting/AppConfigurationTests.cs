using System.Net;

namespace VroegSignalering.Functions.Tests.Hosting;

public class AppConfigurationTests
{
    [Fact]
    public async Task The_app_starts_and_serves_with_azure_monitor_export_configured()
    {
        using var app = new TestApp(settings: new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
            ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "ClientId=00000000-0000-0000-0000-000000000001;Authorization=AAD",
        });
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void Missing_keys_stop_the_app_at_start_with_the_setting_to_fix()
    {
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["Keys:Hmac:ActiveKeyId"] = "nope" });

        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Keys:Hmac:ActiveKeyId 'nope'", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_whose_key_vault_reference_did_not_resolve_stops_the_app_naming_the_reference()
    {
        // What App Service leaves in the setting when secret encryption-k2 does not exist (yet).
        const string reference = "@Microsoft.KeyVault(SecretUri=https://kv-vroeg-x.vault.azure.net/secrets/encryption-k2)";
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["Keys:Encryption:ActiveKeyId"] = "k2", ["Keys:Encryption:Keys:k2"] = reference });

        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains($"Keys:Encryption:Keys:k2 is an unresolved Key Vault reference ({reference})", ex.ToString(), StringComparison.Ordinal);
    }
}
