// Private networking (main.bicep, privateNetworking = true): a VNet with one subnet the Function App
// integrates with (outbound) and one for private endpoints; a private endpoint for every service the app
// reaches, each registered in a private DNS zone linked to the VNet, so the services' ordinary host
// names (stvroeg….table.core.windows.net, sb-vroeg-….servicebus.windows.net, kv-vroeg-….vault.azure.net)
// resolve to private addresses inside the VNet. The services themselves refuse public traffic.

param name string
param location string
param tags object

@description('Address space of the VNet; two /24 subnets are taken from its start.')
param addressPrefix string

@description('Services to reach privately: { name, resourceId, groupId } with groupId blob, queue, table, namespace or vault.')
param privateEndpoints array

// The zone a private endpoint of each sub-resource type registers in (Azure's documented privatelink
// zone names). Service Bus and Key Vault have no suffix in environment(); these are the public-cloud ones.
var zoneNames = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  queue: 'privatelink.queue.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
  namespace: 'privatelink.servicebus.windows.net'
  vault: 'privatelink.vaultcore.azure.net'
}

var zoneKeys = map(items(zoneNames), zone => zone.key)

var appSubnetName = 'snet-app'
var endpointSubnetName = 'snet-private-endpoints'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 0)
          // Flex Consumption runs on Container Apps infrastructure: its VNet integration needs a subnet
          // delegated to Microsoft.App/environments (not Microsoft.Web/serverFarms), used by nothing else.
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: endpointSubnetName
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }

  resource appSubnet 'subnets' existing = {
    name: appSubnetName
  }

  resource endpointSubnet 'subnets' existing = {
    name: endpointSubnetName
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in items(zoneNames): {
    name: zone.value
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, i) in items(zoneNames): {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

resource endpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for endpoint in privateEndpoints: {
    name: 'pe-${endpoint.name}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: vnet::endpointSubnet.id
      }
      privateLinkServiceConnections: [
        {
          name: endpoint.name
          properties: {
            privateLinkServiceId: endpoint.resourceId
            groupIds: [
              endpoint.groupId
            ]
          }
        }
      ]
    }
  }
]

// The zone group writes the endpoint's A record into the zone and keeps it in step with the endpoint.
resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (endpoint, i) in privateEndpoints: {
    parent: endpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: endpoint.groupId
          properties: {
            privateDnsZoneId: zones[indexOf(zoneKeys, endpoint.groupId)].id
          }
        }
      ]
    }
  }
]

output appSubnetId string = vnet::appSubnet.id
