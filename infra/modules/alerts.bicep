// Alerts that mean "a person must look": messages that will not be delivered without help, and
// functions that fail. Each one goes to the action group (e-mail).
//
// Poison storage queues: Azure Storage reports queue message counts per account, not per queue, so a
// metric alert cannot see `<queue>-poison`. The app therefore reports the length of every `*-poison`
// queue as the gauge `vroeg.queue.poison.length` (dimension `queue`), and a log alert watches that
// metric in Application Insights (customMetrics). The same goes for failed outbox rows
// (`vroeg.outbox.failed`).

param namePrefix string
param location string
param tags object

@description('E-mail address that receives alerts; empty creates the action group without receivers.')
param alertEmail string

param serviceBusNamespaceId string
param applicationInsightsId string

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'vroeg-ops'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'operators'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

// Every entity in the namespace is ours (the outreach topic with its gemeente subscriptions, and the
// outcomes queue), so split by entity with '*' rather than listing names that could drift.
resource deadLetters 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${namePrefix}-servicebus-deadletters'
  location: 'global'
  tags: tags
  properties: {
    description: 'Messages in a Service Bus dead-letter queue: an outreach task or outcome that expired or failed 10 deliveries. See docs/deploy.md.'
    severity: 1
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead-lettered'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

var logAlerts = [
  {
    name: 'poison-queues'
    severity: 1
    description: 'Storage queue messages moved to a -poison queue after their last attempt (metric vroeg.queue.poison.length).'
    query: 'customMetrics\n| where name == "vroeg.queue.poison.length"\n| extend queue = tostring(customDimensions["queue"])\n| summarize poisonMessages = max(valueMax) by queue'
    measure: 'poisonMessages'
    aggregation: 'Maximum'
    dimension: 'queue'
  }
  {
    name: 'outbox-failed'
    severity: 1
    description: 'Outbox rows that gave up sending an outreach task (metric vroeg.outbox.failed).'
    query: 'customMetrics\n| where name == "vroeg.outbox.failed"\n| summarize failedRows = max(valueMax)'
    measure: 'failedRows'
    aggregation: 'Maximum'
    dimension: ''
  }
  {
    // 4xx answers are the API doing its job (a creditor sent bad input), not a failure to act on.
    name: 'function-failures'
    severity: 2
    description: 'Function invocations that failed (Application Insights requests with success == false, excluding 4xx answers).'
    query: 'requests\n| where success == false\n| where not(resultCode startswith "4")\n| summarize failures = count() by operation_Name'
    measure: 'failures'
    aggregation: 'Total'
    dimension: 'operation_Name'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in logAlerts: {
    name: 'alert-${namePrefix}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'VroegSignalering: ${alert.name}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: alert.aggregation
            metricMeasureColumn: alert.measure
            dimensions: empty(alert.dimension)
              ? []
              : [
                  {
                    name: alert.dimension
                    operator: 'Include'
                    values: [
                      '*'
                    ]
                  }
                ]
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

output actionGroupId string = actionGroup.id
