// The one identity the Function App uses for everything: host storage, app data, Service Bus, Key Vault
// references and Application Insights. User-assigned so role assignments exist before the app starts
// and survive recreating the app.

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
