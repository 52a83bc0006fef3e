// The Function App on Flex Consumption. The app is a .NET 10 isolated-worker Functions app (ADR 0006): the
// host reads functions.metadata and starts the worker as worker.config.json says
// (`dotnet VroegSignalering.Functions.dll`). On Flex the runtime (dotnet-isolated 10.0) and scale settings
// live in functionAppConfig; FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION must not be app settings.

param planName string
param appName string
param location string
param tags object

@description('The app\'s identity: everything the app itself does (storage, Service Bus, Key Vault references, telemetry).')
param identityId string

@description('The identity the Functions deployment service writes and reads the app package with; nothing else uses it.')
param deploymentIdentityId string

@description('Blob endpoint of the package storage account, with trailing slash.')
param packageBlobEndpoint string
param deploymentContainerName string

@description('Subnet (delegated to Microsoft.App/environments) for VNet integration; empty for none.')
param virtualNetworkSubnetId string

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('App settings, name to value. Built in main.bicep, the one place that lists them.')
param appSettings object

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    // The deployment identity must be assigned to the app for the platform to use it. Code in the app can
    // still ask for its token; the app's own clients (AZURE_CLIENT_ID, AzureWebJobsStorage__clientId) use
    // the app's identity, which cannot write the package.
    userAssignedIdentities: {
      '${identityId}': {}
      '${deploymentIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the app's only identity; there is no system-assigned one.
    keyVaultReferenceIdentity: identityId
    // Outbound traffic goes through the VNet when integrated, so the private endpoints of storage, Service
    // Bus and Key Vault are reached; routing all traffic is what lets Key Vault references resolve over the VNet.
    // Inbound HTTP stays public: creditors post signals over the internet (Entra ID, TLS 1.2).
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    outboundVnetRouting: {
      allTraffic: !empty(virtualNetworkSubnetId)
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        for setting in items(appSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${packageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: deploymentIdentityId
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
    }
  }
}

// Publishing with a user name and password (FTP, and zip upload to the scm site) is off: deployments
// authenticate with Microsoft Entra ID (azd, az functionapp deployment), which needs the
// Microsoft.Web/sites/publish/Action permission on the app.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

output id string = app.id
output name string = app.name
output defaultHostName string = app.properties.defaultHostName
