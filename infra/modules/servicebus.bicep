// Service Bus for outreach: one topic per gemeente the app publishes its outreach tasks to, each with the
// subscription its team reads. Outcomes come back over HTTP (the app has no Service Bus trigger). Local (SAS)
// auth is disabled: senders and receivers use Microsoft Entra ID only.

param name string
param location string
param tags object

@allowed([
  'Standard'
  'Premium'
])
param skuName string

@description('Messaging units; only used for Premium.')
param premiumCapacity int

@description('Disabled when the namespace is reached through a private endpoint only (needs Premium).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string


@description('Each gemeente\'s topic is this prefix and its code, e.g. outreach-gm0363.')
param topicPrefix string

@description('The subscription on each gemeente\'s topic that its team reads.')
param subscriptionName string

@description('CBS gemeente codes (4 digits). Each gets its own topic and subscription.')
param gemeenteCodes array

@description('Size of each gemeente\'s topic in MB: when full, sends to it fail (and only its tasks wait in the outbox). Standard: 1024 to 5120.')
param topicMaxSizeInMegabytes int

@description('Window in which a resend with the same MessageId (the task id) is dropped (ISO 8601 duration).')
param duplicateDetectionWindow string

@description('How long an undelivered task may wait before it is dead-lettered (ISO 8601 duration).')
param messageTimeToLive string

// Poison messages end in the dead-letter queue after this many attempts; the alert picks them up.
var maxDeliveryCount = 10

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
    capacity: skuName == 'Premium' ? premiumCapacity : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
  }
}

// One topic per gemeente, outreach-gm<code>, each with one subscription `tasks` its team reads (ADR 0007). A new
// gemeente's topic only ever carries its own residents' tasks, so the catch-all rule every new subscription starts
// with cannot show it another gemeente's: there is no window to close. A full topic (a team that stopped reading)
// holds back only that gemeente's sends.
resource topics 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = [
  for code in gemeenteCodes: {
    parent: namespace
    name: '${topicPrefix}${code}'
    properties: {
      // The sender sets MessageId = task id, so an outbox resend within the window is harmless.
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
      defaultMessageTimeToLive: messageTimeToLive
      maxSizeInMegabytes: topicMaxSizeInMegabytes
      supportOrdering: true
      enableBatchedOperations: true
    }
  }
]

resource subscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [
  for (code, i) in gemeenteCodes: {
    parent: topics[i]
    name: subscriptionName
    properties: {
      // SessionId = case id: one consumer handles all tasks of a household, in order.
      requiresSession: true
      deadLetteringOnMessageExpiration: true
      deadLetteringOnFilterEvaluationExceptions: true
      maxDeliveryCount: maxDeliveryCount
      defaultMessageTimeToLive: messageTimeToLive
      lockDuration: 'PT1M'
    }
  }
]

// Defence in depth: the subscription's only rule also requires the gemeente's own code, so a task that reached the
// wrong topic by a bug would still not be shown. Written in place of the catch-all $Default, so there is exactly one rule.
resource gemeenteFilters 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = [
  for (code, i) in gemeenteCodes: {
    parent: subscriptions[i]
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: {
        sqlExpression: 'gemeentecode = \'${code}\''
      }
    }
  }
]

output id string = namespace.id
output name string = namespace.name
output topicIds array = [for (code, i) in gemeenteCodes: topics[i].id]
