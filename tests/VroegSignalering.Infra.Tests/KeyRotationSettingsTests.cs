namespace VroegSignalering.Infra.Tests;

/// <summary>
/// Key ids are deployment parameters fed from azd environment variables, so a provision after a rotation
/// sets the same keys again instead of falling back to k1 (issue 15, "key rotation that loses nothing").
/// </summary>
[Collection(PredictedDeployment.Collection)]
public sealed class KeyRotationSettingsTests(PredictedDeployment deployment)
{
    [Fact]
    public void Without_key_variables_the_app_gets_k1_for_both_rings_and_nothing_else()
    {
        var keys = deployment.AppSettings.Where(s => s.Key.StartsWith("Keys__", StringComparison.Ordinal)).ToDictionary();
        var vault = (string)deployment.Single("Microsoft.KeyVault/vaults")["name"]!;

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["Keys__Hmac__ActiveKeyId"] = "k1",
                ["Keys__Encryption__ActiveKeyId"] = "k1",
                ["Keys__Hmac__Keys__k1"] = $"@Microsoft.KeyVault(SecretUri=https://{vault}.vault.azure.net/secrets/hmac-k1)",
                ["Keys__Encryption__Keys__k1"] = $"@Microsoft.KeyVault(SecretUri=https://{vault}.vault.azure.net/secrets/encryption-k1)",
            }.OrderBy(p => p.Key),
            keys.OrderBy(p => p.Key));
    }

    [Fact]
    public void After_a_rotation_every_listed_key_id_and_the_active_one_get_a_key_vault_reference()
    {
        using var rotated = PredictedDeployment.With(new Dictionary<string, string>
        {
            // The runbook's steps: the encryption ring lists k1 and k2 with k2 active; the HMAC ring names only
            // its new active key, and the old one it still lists stays.
            ["VROEG_ENCRYPTION_KEY_IDS"] = "k1, k2",
            ["VROEG_ENCRYPTION_ACTIVE_KEY_ID"] = "k2",
            ["VROEG_HMAC_KEY_IDS"] = "k1",
            ["VROEG_HMAC_ACTIVE_KEY_ID"] = "k3",
        });
        var settings = rotated.AppSettings;
        var vault = (string)rotated.Single("Microsoft.KeyVault/vaults")["name"]!;
        string Reference(string secret) => $"@Microsoft.KeyVault(SecretUri=https://{vault}.vault.azure.net/secrets/{secret})";

        Assert.Equal("k2", settings["Keys__Encryption__ActiveKeyId"]);
        Assert.Equal(Reference("encryption-k1"), settings["Keys__Encryption__Keys__k1"]);
        Assert.Equal(Reference("encryption-k2"), settings["Keys__Encryption__Keys__k2"]);
        Assert.Equal("k3", settings["Keys__Hmac__ActiveKeyId"]);
        Assert.Equal(Reference("hmac-k1"), settings["Keys__Hmac__Keys__k1"]);
        Assert.Equal(Reference("hmac-k3"), settings["Keys__Hmac__Keys__k3"]);
        Assert.Equal(6, settings.Keys.Count(k => k.StartsWith("Keys__", StringComparison.Ordinal)));

        // The rest of the settings do not move with the keys.
        Assert.Equal(
            deployment.AppSettings.Keys.Where(k => !k.StartsWith("Keys__", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            settings.Keys.Where(k => !k.StartsWith("Keys__", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }
}
