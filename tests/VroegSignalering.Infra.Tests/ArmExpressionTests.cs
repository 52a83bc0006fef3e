namespace VroegSignalering.Infra.Tests;

public sealed class ArmExpressionTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("[[not an expression]", "[not an expression]")]
    [InlineData("[format('https://{0}{1}', 'kv-x', environment().suffixes.keyvaultDns)]", "https://kv-x.vault.azure.net")]
    [InlineData("[format('{0}{1}', format('https://{0}.blob.{1}/', 'st', environment().suffixes.storage), 'app-package')]", "https://st.blob.core.windows.net/app-package")]
    [InlineData("[concat('it''s', ' ', 'quoted')]", "it's quoted")]
    [InlineData("[resourceId('s', 'rg', 'Microsoft.Network/privateDnsZones', format('privatelink.blob.{0}', environment().suffixes.storage))]", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net")]
    [InlineData("[resourceId('s', 'rg', 'Microsoft.Storage/storageAccounts/tableServices', 'st', 'default')]", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/tableServices/default")]
    public void Expressions_known_before_deployment_are_evaluated(string value, string expected)
    {
        Assert.True(ArmExpression.TryEvaluate(value, out var result));
        Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData("[reference('/subscriptions/x/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id', '2024-11-30').clientId]")]
    [InlineData("[format('ClientId={0}', reference('id', '2024-11-30').clientId)]")]
    [InlineData("[parameters('hmacKey')]")]
    public void Expressions_only_azure_can_evaluate_are_left_alone(string value)
    {
        Assert.False(ArmExpression.TryEvaluate(value, out _));
    }
}
