// Service Bus for outreach: the topic the app publishes outreach tasks to (one subscription per
// gemeente, filtered on the gemeentecode application property) and the queue municipal systems post
// outcomes to. Local (SAS) auth is disabled: senders and receivers use Microsoft Entra ID only.

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

param topicName string
param outcomesQueueName string

@description('CBS gemeente codes (4 digits). Each gets a subscription gm<code> that receives only its own tasks.')
param gemeenteCodes array

@description('Window in which a resend with the same MessageId (the task id) is dropped (ISO 8601 duration).')
param duplicateDetectionWindow string

@description('How long an undelivered task or outcome may wait before it is dead-lettered (ISO 8601 duration).')
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

resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    // The sender sets MessageId = task id, so an outbox resend within the window is harmless.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: messageTimeToLive
    supportOrdering: true
    enableBatchedOperations: true
  }
}

resource subscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [
  for code in gemeenteCodes: {
    parent: topic
    name: 'gm${code}'
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

// Replaces the catch-all $Default rule (1=1) that Service Bus creates with every subscription, so a
// gemeente never receives another gemeente's residents. Writing $Default in place (rather than adding
// a second rule) leaves exactly one rule and no window in which both match.
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

resource outcomesQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: outcomesQueueName
  properties: {
    deadLetteringOnMessageExpiration: true
    maxDeliveryCount: maxDeliveryCount
    defaultMessageTimeToLive: messageTimeToLive
    lockDuration: 'PT1M'
  }
}

output id string = namespace.id
output name string = namespace.name
output topicId string = topic.id
output outcomesQueueId string = outcomesQueue.id
