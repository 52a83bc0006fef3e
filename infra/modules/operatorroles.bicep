// Roles for the operator or deploying principal named by main.bicep's principalId (azd fills in the
// signed-in user, AZURE_PRINCIPAL_ID). Only what the documented operations need and nothing that reads
// key material or personal data: no Key Vault secret values, no storage data, no Service Bus messages.
// Operations that need the encryption key run in Azure under the app's identity.

param principalId string

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string

param functionAppName string
param keyVaultName string

var roles = {
  // Deploy the package (azd deploy, az functionapp deployment source config-zip): with basic-auth
  // publishing off, the scm site takes an Entra ID token with Microsoft.Web/sites/publish/Action. Also
  // restart the app after a key change. Scoped to the app, not its plan or the resource group.
  websiteContributor: 'de139f84-1756-47ae-9be6-808fbbe84772'
  // Read metrics, alerts, the workbook and the logs (KQL in docs/operations.md) of the resource group.
  // Management-plane read only: no app settings (a list action), no data-plane access.
  monitoringReader: '43d0d8ad-25c7-4714-9337-8ba259a9fe05'
  // See which secrets and versions exist and whether they are enabled (first response: did the Key Vault
  // references resolve; key rotation), never a secret's value.
  keyVaultReader: '21090545-7ca7-4776-b22c-e363652d74d2'
}

resource app 'Microsoft.Web/sites@2024-11-01' existing = {
  name: functionAppName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource deployer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: app
  name: guid(app.id, principalId, roles.websiteContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.websiteContributor)
    principalId: principalId
    principalType: principalType
  }
}

resource monitoringReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roles.monitoringReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringReader)
    principalId: principalId
    principalType: principalType
  }
}

resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, principalId, roles.keyVaultReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultReader)
    principalId: principalId
    principalType: principalType
  }
}
