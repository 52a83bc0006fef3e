// VroegSignalering in Azure: the Functions app (isolated worker, .NET 10, Flex Consumption) with its storage,
// Service Bus, Key Vault, monitoring, alerts and workbook. Deployed to one resource group, by `azd up`
// or `az deployment group create` (docs/deploy.md).
//
// Everything the app talks to is reached with one user-assigned managed identity; no key, SAS or
// connection string with a secret is stored anywhere.

targetScope = 'resourceGroup'

@minLength(1)
@maxLength(32)
@description('Environment name (azd: AZURE_ENV_NAME), e.g. "prod" or "pilot". Part of every resource name.')
param environmentName string

@description('Azure region. Flex Consumption is not available in every region.')
param location string = resourceGroup().location

@description('CBS codes (4 digits) of the gemeenten served. Each gets its own Service Bus topic outreach-gm<code> with the subscription `tasks`.')
@minLength(1)
param gemeenteCodes array

@description('Microsoft Entra audience (App ID URI) creditor and municipal clients request tokens for.')
param entraAudience string = 'api://vroegsignalering'

@description('Client (application) id of the API\'s Entra app registration. Tokens of version 2 carry it as their audience; version 1 tokens carry entraAudience. Empty: only version 1 tokens are accepted.')
param entraApiClientId string = ''

@description('Where the app looks up gemeente, wijk and buurt for an address.')
@allowed([
  'Pdok'
  'CbsFile'
])
param addressRegistrySource string = 'Pdok'

@description('Premium is required with privateNetworking (Service Bus private endpoints exist on Premium only).')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Messaging units when serviceBusSku is Premium.')
@allowed([
  1
  2
  4
  8
  16
])
param serviceBusPremiumCapacity int = 1

@description('Resends of a task (same MessageId) within this many minutes are dropped by Service Bus. The app is told the same window (vroeg deadletter redrive waits for it).')
@minValue(1)
@maxValue(10080)
param duplicateDetectionWindowMinutes int = 60

@description('An outreach task nobody received within this many days is dead-lettered (and alerts). The app stamps the same time to live on every task it sends.')
@minValue(1)
@maxValue(365)
param messageTimeToLiveDays int = 14

@description('A signal in quarantine (address not routable) longer than this many days counts as overdue: metric vroeg.quarantine.overdue, alerts quarantine-overdue and quarantine-ageing (docs/operations.md). DOMAIN.md: contact within 3 working days in threatening situations.')
@minValue(1)
@maxValue(90)
param quarantineAlertAfterDays int = 3

@description('Size of each gemeente\'s topic in MB. A full topic refuses sends to that gemeente only; its tasks wait in the outbox.')
@allowed([
  1024
  2048
  3072
  4096
  5120
])
param topicMaxSizeInMegabytes int = 5120

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_ZRS'

@description('Keep on in production: without it a deleted vault (and every key in it) can be purged at once.')
param keyVaultPurgeProtection bool = true

@description('Raise (2, 3, …) to create a vault with a new name after a teardown, while the old name is held by the soft-deleted vault for 90 days. 1 keeps the name kv-vroeg-<token> (docs/deploy.md, "Teardown and re-provisioning").')
@minValue(1)
@maxValue(99)
param keyVaultGeneration int = 1

@description('True recovers the soft-deleted vault of this name with its keys instead of creating one (after a teardown, within 90 days). Set it back to false once recovered.')
param keyVaultRecover bool = false

@description('Storage, Service Bus and Key Vault reachable only through private endpoints in a new VNet the app integrates with. Needs serviceBusSku Premium; the deployment is refused otherwise. HTTP ingress to the app stays public.')
param privateNetworking bool = false

@description('Address space of the VNet created with privateNetworking; the first two /24 blocks become its subnets.')
param virtualNetworkAddressPrefix string = '10.42.0.0/16'

@description('Object id of the operator or deploying principal that gets the operator roles (azd: AZURE_PRINCIPAL_ID). Empty grants nothing.')
param principalId string = ''

@description('Kind of principalId: User for a person, ServicePrincipal for a CI pipeline, Group for an operators group.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Optional: base64 of 32 random bytes for HMAC key k1. Empty: operators create the secret (docs/deploy.md).')
@secure()
param hmacKeyK1 string = ''

@description('Optional: base64 of 32 random bytes for AES key k1. Empty: operators create the secret (docs/deploy.md).')
@secure()
param encryptionKeyK1 string = ''

// Key ids are parameters so that a rotation survives every later provision: main.parameters.json maps
// them from azd environment variables (VROEG_*_KEY_IDS, VROEG_*_ACTIVE_KEY_ID), which azd keeps.
@description('HMAC key ids the app keeps, comma-separated (e.g. "k1,k2"); each gets Keys__Hmac__Keys__<id>, a Key Vault reference to secret hmac-<id>. Keep an id while `vroeg keys usage` shows data under it.')
param hmacKeyIds string = 'k1'

@description('The HMAC key id new households are keyed with; always kept, even when missing from hmacKeyIds.')
@minLength(1)
param hmacActiveKeyId string = 'k1'

@description('AES key ids the app keeps for decryption, comma-separated (e.g. "k1,k2"); each gets Keys__Encryption__Keys__<id>, a Key Vault reference to secret encryption-<id>. Keep an id while `vroeg keys usage` shows data under it.')
param encryptionKeyIds string = 'k1'

@description('The AES key id new data is encrypted with; always kept, even when missing from encryptionKeyIds.')
@minLength(1)
param encryptionActiveKeyId string = 'k1'

@minLength(3)
@description('E-mail address(es) for alerts, separated by commas (azd: VROEG_ALERT_EMAIL). Required: the deployment fails without one.')
param alertEmail string

@description('Days Log Analytics and Application Insights keep telemetry: only the values Application Insights accepts for retention.')
@allowed([
  30
  60
  90
  120
  180
  270
  365
  550
  730
])
param logRetentionInDays int = 90

@description('The municipal teams that use the outcome API (docs/deploy.md, "Registering a municipal team"): each { id, name, gemeentecode, entraAppIds: [ client ids of its Entra ID applications ] }. The applications also need the app role Outcomes.Submit. No keys: in Azure a team signs in with Entra ID only. Empty: the outcome API admits no team.')
param teams array = []

// Retention terms in days (docs/privacy.md, "Retention"); the defaults are the app's built-in terms
// (RetentionTerms.BuiltIn), set here so the deployment states them. Each becomes Retention__Default__<Kind>Days.
@description('Days a quarantined signal (address not routable) is kept, from its quarantine.')
@minValue(1)
param retentionQuarantinedSignalDays int = 90

@description('Days a stored signal that never became part of a case is kept, from its receipt.')
@minValue(1)
param retentionSignalWithoutCaseDays int = 90

@description('Days the contact attempts of a closed case are kept, from the closing.')
@minValue(1)
param retentionContactAttemptDays int = 183

@description('Days a closed case where no help followed is kept (signals, tasks, outbox rows, outcome), from the closing. DOMAIN.md: 6 months.')
@minValue(1)
param retentionClosedCaseWithoutHelpDays int = 183

@description('Days a closed case where the household accepted help is kept, from the closing.')
@minValue(1)
param retentionClosedCaseWithHelpDays int = 365

@description('Days the encrypted task message of a dispatched outbox row is kept, from the dispatch.')
@minValue(1)
param retentionOutboxMessageDays int = 30

@description('Days a creditor feedback row is kept, from its date.')
@minValue(1)
param retentionCreditorFeedbackDays int = 90

@description('Days a creditor reference claim (replay detection of intake) is kept, from the claim.')
@minValue(1)
param retentionReferenceClaimDays int = 365

@description('Optional per-gemeente terms, e.g. { "0363": { "ClosedCaseWithoutHelpDays": 120 } }: each becomes Retention__Gemeenten__<code>__<Kind>Days. Only ContactAttemptDays, ClosedCaseWithoutHelpDays, ClosedCaseWithHelpDays, SignalWithoutCaseDays and OutboxMessageDays can differ per gemeente; the app refuses to start on anything else.')
param retentionGemeenten object = {}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  application: 'vroegsignalering'
}

var names = {
  identity: 'id-vroeg-${resourceToken}'
  deploymentIdentity: 'id-vroeg-deploy-${resourceToken}'
  plan: 'plan-vroeg-${resourceToken}'
  functionApp: 'func-vroeg-${resourceToken}'
  storage: 'stvroeg${resourceToken}'
  packageStorage: 'stpkg${resourceToken}'
  virtualNetwork: 'vnet-vroeg-${resourceToken}'
  serviceBus: 'sb-vroeg-${resourceToken}'
  // 24 characters at most: kv-vroeg- (9) + token (13) + generation (up to 2).
  keyVault: keyVaultGeneration == 1 ? 'kv-vroeg-${resourceToken}' : 'kv-vroeg-${resourceToken}${keyVaultGeneration}'
  logAnalytics: 'log-vroeg-${resourceToken}'
  applicationInsights: 'appi-vroeg-${resourceToken}'
  alertPrefix: 'vroeg-${resourceToken}'
}

// Names the app and the infrastructure must agree on; tests/VroegSignalering.Infra.Tests checks them
// against the triggers in the app's functions.metadata.
var deploymentContainerName = 'app-package'
var signalsIntakeQueue = 'signals-intake'
var dispatchQueue = 'dispatch'
var outreachTopicPrefix = 'outreach-gm'
var outreachSubscription = 'tasks'
var hmacSecretName = 'hmac-k1'
var encryptionSecretName = 'encryption-k1'

// The active id is added to the list rather than refused: "set the active key" then never drops the old
// one, and the active key can never be missing (the app would refuse to start without it).
var hmacKeyIdList = union(filter(map(split(hmacKeyIds, ','), id => trim(id)), id => !empty(id)), [hmacActiveKeyId])
var encryptionKeyIdList = union(filter(map(split(encryptionKeyIds, ','), id => trim(id)), id => !empty(id)), [encryptionActiveKeyId])
var keySettings = union(
  {
    Keys__Hmac__ActiveKeyId: hmacActiveKeyId
    Keys__Encryption__ActiveKeyId: encryptionActiveKeyId
  },
  toObject(hmacKeyIdList, id => 'Keys__Hmac__Keys__${id}', id => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}/secrets/hmac-${id})'),
  toObject(encryptionKeyIdList, id => 'Keys__Encryption__Keys__${id}', id => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}/secrets/encryption-${id})')
)

// Teams as indexed settings the app binds to TeamOptions.Entries: Teams__Entries__<n>__Id, __Name, __Gemeentecode and
// __EntraAppIds__<m>. A team without a gemeentecode or with an app id of another team is refused by the app at start
// (TeamOptionsValidator), with the team named; a gemeente the deployment serves no topic for is refused here.
var teamSettings = toObject(
  flatten(map(range(0, length(teams)), i => concat(
    [
      { name: 'Teams__Entries__${i}__Id', value: teams[i].id }
      { name: 'Teams__Entries__${i}__Name', value: teams[i].?name ?? teams[i].id }
      {
        name: 'Teams__Entries__${i}__Gemeentecode'
        value: contains(gemeenteCodes, teams[i].?gemeentecode ?? '')
          ? teams[i].gemeentecode
          : fail('team ${teams[i].id}: gemeentecode must be one of gemeenteCodes (the gemeenten this deployment serves)')
      }
    ],
    map(range(0, length(teams[i].?entraAppIds ?? [])), j => { name: 'Teams__Entries__${i}__EntraAppIds__${j}', value: teams[i].entraAppIds[j] })
  ))),
  s => s.name,
  s => s.value
)

var retentionSettings = union(
  {
    Retention__Default__QuarantinedSignalDays: string(retentionQuarantinedSignalDays)
    Retention__Default__SignalWithoutCaseDays: string(retentionSignalWithoutCaseDays)
    Retention__Default__ContactAttemptDays: string(retentionContactAttemptDays)
    Retention__Default__ClosedCaseWithoutHelpDays: string(retentionClosedCaseWithoutHelpDays)
    Retention__Default__ClosedCaseWithHelpDays: string(retentionClosedCaseWithHelpDays)
    Retention__Default__OutboxMessageDays: string(retentionOutboxMessageDays)
    Retention__Default__CreditorFeedbackDays: string(retentionCreditorFeedbackDays)
    Retention__Default__ReferenceClaimDays: string(retentionReferenceClaimDays)
  },
  toObject(
    flatten(map(items(retentionGemeenten), g => map(items(g.value), t => { name: 'Retention__Gemeenten__${g.key}__${t.key}', value: string(t.value) }))),
    s => s.name,
    s => s.value
  )
)

// Endpoints computed from names, so they are known before deployment and the test can check them.
// environment() has no Service Bus suffix; this is the public-cloud one (change it for sovereign clouds).
var serviceBusFqdn = '${names.serviceBus}.servicebus.windows.net'
var keyVaultUri = 'https://${names.keyVault}${environment().suffixes.keyvaultDns}'
var packageBlobEndpoint = 'https://${names.packageStorage}.blob.${environment().suffixes.storage}/'

// Service Bus private endpoints exist on Premium only. Refused rather than upgraded silently: Premium
// costs per messaging unit, around the clock, and that is the deployer's decision. ARM reports the
// message when it validates the template, before anything is created.
var checkedServiceBusSku = privateNetworking && serviceBusSku != 'Premium'
  ? fail('privateNetworking needs serviceBusSku \'Premium\': Service Bus private endpoints exist on Premium only.')
  : serviceBusSku
var publicNetworkAccess = privateNetworking ? 'Disabled' : 'Enabled'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

// The identity the Functions deployment service writes the app package with; the app's own identity
// cannot write it (modules/packagestorage.bicep).
module deploymentIdentity 'modules/identity.bicep' = {
  name: 'deployment-identity'
  params: {
    name: names.deploymentIdentity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSku
    queueNames: [
      signalsIntakeQueue
      dispatchQueue
    ]
    publicNetworkAccess: publicNetworkAccess
  }
}

module packageStorage 'modules/packagestorage.bicep' = {
  name: 'package-storage'
  params: {
    name: names.packageStorage
    location: location
    tags: tags
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    deploymentPrincipalId: deploymentIdentity.outputs.principalId
    deploymentIdentityId: deploymentIdentity.outputs.id
    publicNetworkAccess: publicNetworkAccess
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    name: names.serviceBus
    location: location
    tags: tags
    skuName: checkedServiceBusSku
    premiumCapacity: serviceBusPremiumCapacity
    publicNetworkAccess: publicNetworkAccess
    topicPrefix: outreachTopicPrefix
    subscriptionName: outreachSubscription
    gemeenteCodes: gemeenteCodes
    topicMaxSizeInMegabytes: topicMaxSizeInMegabytes
    duplicateDetectionWindow: 'PT${duplicateDetectionWindowMinutes}M'
    messageTimeToLive: 'P${messageTimeToLiveDays}D'
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
    enablePurgeProtection: keyVaultPurgeProtection
    recoverSoftDeleted: keyVaultRecover
    publicNetworkAccess: publicNetworkAccess
    hmacSecretName: hmacSecretName
    encryptionSecretName: encryptionSecretName
    hmacKey: hmacKeyK1
    encryptionKey: encryptionKeyK1
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    identityId: identity.outputs.id
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    topicNames: [for code in gemeenteCodes: '${outreachTopicPrefix}${code}']
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

// Every app setting, in one place. The names are the configuration keys the app reads ("__" is the
// section separator); the Functions host resolves the %Name% in the triggers of functions.metadata
// (e.g. [QueueTrigger("%SignalsIntakeQueue%")]) from the same list, and the worker reads them as configuration.
var appSettings = {
  // Host storage and the app's tables and queues: identity-based, no account key.
  AzureWebJobsStorage__accountName: names.storage
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  // For any Azure SDK client that falls back to DefaultAzureCredential: pick the user-assigned identity.
  AZURE_CLIENT_ID: identity.outputs.clientId

  SignalsIntakeQueue: signalsIntakeQueue
  DispatchQueue: dispatchQueue
  TriageCasesSchedule: '0 */5 * * * *'
  SweepOutboxSchedule: '0 */2 * * * *'
  // Pipeline gauges and the heartbeat the heartbeat alert waits for: keep it well under 15 minutes.
  PipelineGaugesSchedule: '0 * * * * *'
  // Escalation of tasks past their due date without a contact attempt (docs/operations.md, "Escalation"): hourly, at
  // minute 7 so it does not share the minute with TriageCases' and the sweeper's busiest ticks.
  EscalateOverdueSchedule: '0 7 * * * *'
  // The retention purge (docs/operations.md#retention): daily at 02:30 UTC, with the terms of retentionSettings.
  RetentionSchedule: '0 30 2 * * *'
  ...retentionSettings

  // Sending outreach tasks (Azure.Messaging.ServiceBus over AMQP, Entra ID token of the identity).
  Dispatch__Transport: 'ServiceBus'
  Dispatch__ServiceBus__FullyQualifiedNamespace: serviceBusFqdn
  Dispatch__ServiceBus__TopicPrefix: outreachTopicPrefix
  Dispatch__ServiceBus__Subscription: outreachSubscription
  Dispatch__ServiceBus__ClientId: identity.outputs.clientId
  // The topic's window as a .NET TimeSpan (d.hh:mm:ss).
  Dispatch__ServiceBus__DuplicateDetectionWindow: '${duplicateDetectionWindowMinutes / 1440}.${padLeft(string((duplicateDetectionWindowMinutes % 1440) / 60), 2, '0')}:${padLeft(string(duplicateDetectionWindowMinutes % 60), 2, '0')}:00'
  // The TTL stamped on each task, the same as the topics' default (a .NET TimeSpan, d.hh:mm:ss).
  Dispatch__TimeToLive: '${messageTimeToLiveDays}.00:00:00'

  Creditors__Source: 'Table'
  AddressRegistry__Source: addressRegistrySource
  // Signals quarantined longer than this count as overdue (vroeg.quarantine.overdue); the alerts use the same number.
  Quarantine__AlertAfterDays: string(quarantineAlertAfterDays)

  Auth__Entra__TenantId: tenant().tenantId
  Auth__Entra__Audience: entraAudience
  Auth__Entra__ClientId: entraApiClientId
  // The municipal teams and the app ids of their Entra ID applications (teamSettings); no keys.
  ...teamSettings

  // Key material stays in Key Vault; the platform resolves these references with the identity
  // (keyVaultReferenceIdentity). One Keys__<ring>__Keys__<id> per listed id plus the active ids (keySettings).
  ...keySettings

  // Telemetry with Entra ID auth: the component accepts no instrumentation-key-only writes.
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
}

module network 'modules/network.bicep' = if (privateNetworking) {
  name: 'network'
  params: {
    name: names.virtualNetwork
    location: location
    tags: tags
    addressPrefix: virtualNetworkAddressPrefix
    privateEndpoints: [
      { name: '${names.storage}-blob', resourceId: storage.outputs.id, groupId: 'blob' }
      { name: '${names.storage}-queue', resourceId: storage.outputs.id, groupId: 'queue' }
      { name: '${names.storage}-table', resourceId: storage.outputs.id, groupId: 'table' }
      { name: '${names.packageStorage}-blob', resourceId: packageStorage.outputs.id, groupId: 'blob' }
      { name: names.serviceBus, resourceId: serviceBus.outputs.id, groupId: 'namespace' }
      { name: names.keyVault, resourceId: keyVault.outputs.id, groupId: 'vault' }
    ]
  }
}

module diagnostics 'modules/diagnostics.bicep' = {
  name: 'diagnostics'
  params: {
    workspaceId: monitoring.outputs.workspaceId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    serviceBusSku: checkedServiceBusSku
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: tags
    identityId: identity.outputs.id
    deploymentIdentityId: deploymentIdentity.outputs.id
    packageBlobEndpoint: packageBlobEndpoint
    deploymentContainerName: deploymentContainerName
    virtualNetworkSubnetId: privateNetworking ? network!.outputs.appSubnetId : ''
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: appSettings
  }
  // The host reads storage and Key Vault with the identity as soon as the app starts (through the private
  // endpoints with privateNetworking); the platform reads the package with the deployment identity.
  dependsOn: [
    roles
    // Implied through the network module only when privateNetworking is on; the package container and
    // its writer's role must exist before the platform first looks for a package.
    #disable-next-line no-unnecessary-dependson
    packageStorage
  ]
}

module operatorRoles 'modules/operatorroles.bicep' = if (!empty(principalId)) {
  name: 'operator-roles'
  params: {
    principalId: principalId
    principalType: principalType
    functionAppName: functionApp.outputs.name
    keyVaultName: keyVault.outputs.name
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: names.alertPrefix
    location: location
    tags: tags
    alertEmail: alertEmail
    serviceBusNamespaceId: serviceBus.outputs.id
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    functionAppHostName: functionApp.outputs.defaultHostName
    gemeenteCodes: gemeenteCodes
    outreachTopicPrefix: outreachTopicPrefix
    topicMaxSizeInMegabytes: topicMaxSizeInMegabytes
    quarantineAlertAfterDays: quarantineAlertAfterDays
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    workbookKey: 'vroeg-operations-${environmentName}'
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_HOSTNAME string = functionApp.outputs.defaultHostName
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.name
output SERVICE_BUS_FQDN string = serviceBusFqdn
output KEY_VAULT_NAME string = keyVault.outputs.name
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output PACKAGE_STORAGE_ACCOUNT_NAME string = packageStorage.outputs.name
output APP_IDENTITY_CLIENT_ID string = identity.outputs.clientId
