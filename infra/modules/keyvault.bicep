// Key Vault for the app's key material: the HMAC key that pseudonymises households and the AES key
// that encrypts personal data at rest. RBAC only (no access policies), soft delete always on.
// Secrets are created here only when their values are passed as secure parameters; otherwise operators
// create them (docs/deploy.md), so key material never has to pass through a deployment.

param name string
param location string
param tags object
param workspaceId string

@description('Purge protection cannot be turned off again once on; leave it on in production.')
param enablePurgeProtection bool

@description('True recovers the soft-deleted vault of this name, with every secret it held, instead of creating a new one.')
param recoverSoftDeleted bool

@description('Disabled when the vault is reached through a private endpoint only (privateNetworking).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

param hmacSecretName string
param encryptionSecretName string

@description('Base64 of 32 random bytes; empty to let operators create the secret.')
@secure()
param hmacKey string

@description('Base64 of 32 random bytes; empty to let operators create the secret.')
@secure()
param encryptionKey string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    // After a teardown the vault stays soft-deleted (and its name taken) for 90 days; "recover" brings it
    // back with its keys, so data restored from a backup stays readable (docs/deploy.md).
    createMode: recoverSoftDeleted ? 'recover' : 'default'
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Key Vault rejects an explicit false once protection was on, so "off" means "not set".
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
    }
  }
}

resource hmacSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(hmacKey)) {
  parent: vault
  name: hmacSecretName
  properties: {
    value: hmacKey
    contentType: 'base64'
  }
}

resource encryptionSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(encryptionKey)) {
  parent: vault
  name: encryptionSecretName
  properties: {
    value: encryptionKey
    contentType: 'base64'
  }
}

// Who read which key, and when, is part of the privacy story: keep the audit log.
resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: vault
  name: 'audit-to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

output id string = vault.id
output name string = vault.name
