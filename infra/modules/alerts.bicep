// Alerts that mean "a person must look", each with a runbook section in docs/operations.md (under
// "Alerts") that its description links to. Everything goes to one action group, which must have a
// receiver: a deployment without an alert address fails instead of creating a group nobody hears.
//
// Three kinds of signal, so that a dead app is noticed too:
// - the app's own metrics in Application Insights (customMetrics), recorded once a minute by the
//   SamplePipeline timer: queue and poison-queue lengths and ages, outbox rows pending and failed,
//   quarantine, and a heartbeat. Storage reports queue counts per account, not per queue, so the app
//   measures its queues itself. Log alerts over these metrics resolve when no data arrives, so the
//   heartbeat alert is written the other way round: it fires on silence;
// - Service Bus platform metrics, which Azure records whether or not the app runs;
// - an availability test from outside, on the health endpoint.

param namePrefix string
param location string
param tags object

@minLength(3)
@description('E-mail address(es) that receive alerts, separated by commas. Required: alerts nobody receives are no alerts.')
param alertEmail string

param serviceBusNamespaceId string
param applicationInsightsId string

@description('Host name of the Function App; the availability test calls https://<host>/api/health.')
param functionAppHostName string

@description('CBS codes of the gemeenten served; each has its own topic <outreachTopicPrefix><code>.')
param gemeenteCodes array

@description('Topic name prefix, e.g. outreach-gm (topic outreach-gm0363 with subscription tasks).')
param outreachTopicPrefix string

@description('Maximum size of each outreach topic in megabytes, as created in servicebus.bicep.')
param topicMaxSizeInMegabytes int

@description('Target for signal → task (receipt to dispatch): settle 2 min + triage every 5 min + sweep 2 min, with room for a monthly batch.')
param signalToTaskTargetMinutes int = 15

@description('Days in quarantine after which a signal is overdue; the app counts with the same setting (Quarantine__AlertAfterDays).')
param quarantineAlertAfterDays int = 3

// Thresholds, with the reasoning the runbook repeats.
var topicSizeAlertPercent = 80 // a full topic refuses every send (QuotaExceeded): act well before
var backlogMessages = 1000 // more than a monthly batch for one gemeente that its team should have taken within the hour
var stalledHours = 6 // tasks waiting this long with nothing completed: the gemeente's consumer is not running
var serverErrorsPer15Minutes = 5 // single server errors are retried by the SDK; a run of them is an outage
var poisonAgeHours = 24 // a poison message nobody re-drove within a day
var quarantineAgeDays = quarantineAlertAfterDays // DOMAIN.md: threatening situations call for contact within 3 working days
var outboxPendingAgeMinutes = 15 // the sweeper sends rows older than 2 minutes every 2 minutes
var heartbeatSilenceMinutes = 15

var runbook = 'docs/operations.md#alert-'
var alertEmails = filter(map(split(alertEmail, ','), address => trim(address)), address => !empty(address))

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'vroeg-ops'
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmails: {
        name: 'operators-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// Service Bus platform metrics. One topic per gemeente with one subscription each, so a topic-level
// metric split by EntityName is that gemeente's subscription.

var serviceBusMetricAlerts = [
  {
    name: 'servicebus-deadletters'
    severity: 1
    description: 'Messages in a Service Bus dead-letter queue: an outreach task that expired or failed 10 deliveries.'
    metric: 'DeadletteredMessages'
    aggregation: 'Maximum'
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
    frequency: 'PT5M'
    perEntity: true
  }
  {
    name: 'servicebus-topic-size'
    severity: 1
    description: 'A gemeente\'s outreach topic is over ${topicSizeAlertPercent}% of its ${topicMaxSizeInMegabytes} MB: when full, every send to it fails with QuotaExceeded.'
    metric: 'Size'
    aggregation: 'Maximum'
    operator: 'GreaterThan'
    threshold: topicMaxSizeInMegabytes * 1024 * 1024 / 100 * topicSizeAlertPercent
    window: 'PT15M'
    frequency: 'PT5M'
    perEntity: true
  }
  {
    name: 'servicebus-backlog'
    severity: 2
    description: 'More than ${backlogMessages} outreach tasks have waited in a gemeente\'s subscription for a whole hour.'
    metric: 'ActiveMessages'
    aggregation: 'Minimum'
    operator: 'GreaterThan'
    threshold: backlogMessages
    window: 'PT1H'
    frequency: 'PT15M'
    perEntity: true
  }
  {
    name: 'servicebus-throttled'
    severity: 2
    description: 'Service Bus throttled requests (ThrottledRequests): the namespace is at its limit; sends are retried and slow down.'
    metric: 'ThrottledRequests'
    aggregation: 'Total'
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
    frequency: 'PT5M'
    perEntity: false
  }
  {
    name: 'servicebus-server-errors'
    severity: 2
    description: 'More than ${serverErrorsPer15Minutes} Service Bus server errors (ServerErrors) in 15 minutes.'
    metric: 'ServerErrors'
    aggregation: 'Total'
    operator: 'GreaterThan'
    threshold: serverErrorsPer15Minutes
    window: 'PT15M'
    frequency: 'PT5M'
    perEntity: false
  }
]

resource serviceBusAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for alert in serviceBusMetricAlerts: {
    name: 'alert-${namePrefix}-${alert.name}'
    location: 'global'
    tags: tags
    properties: {
      description: '${alert.description} Runbook: ${runbook}${alert.name}'
      severity: alert.severity
      enabled: true
      scopes: [
        serviceBusNamespaceId
      ]
      evaluationFrequency: alert.frequency
      windowSize: alert.window
      autoMitigate: true
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: alert.name
            metricNamespace: 'Microsoft.ServiceBus/namespaces'
            metricName: alert.metric
            // '*' splits by every entity, so a gemeente added later is covered without a change here.
            dimensions: alert.perEntity
              ? [
                  {
                    name: 'EntityName'
                    operator: 'Include'
                    values: [
                      '*'
                    ]
                  }
                ]
              : []
            operator: alert.operator
            threshold: alert.threshold
            timeAggregation: alert.aggregation
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
]

// A stalled consumer, per gemeente. Azure Monitor has no "age of the oldest message" metric, and the
// subscriptions require sessions, which a plain receiver cannot peek reliably (the SDK team's advice).
// Instead: tasks have waited the whole window (ActiveMessages never dropped to 0) and the gemeente took
// none of them (no CompleteMessage), so the oldest has waited at least that long. A rule with two
// conditions cannot split by '*', hence one rule per gemeente.
resource stalledConsumers 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for code in gemeenteCodes: {
    name: 'alert-${namePrefix}-servicebus-stalled-gm${code}'
    location: 'global'
    tags: tags
    properties: {
      description: 'Outreach tasks for gemeente ${code} have waited ${stalledHours} hours and none was taken: its consumer has stopped. Runbook: ${runbook}servicebus-stalled'
      severity: 1
      enabled: true
      scopes: [
        serviceBusNamespaceId
      ]
      evaluationFrequency: 'PT1H'
      windowSize: 'PT${stalledHours}H'
      autoMitigate: true
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: 'tasks-waiting'
            metricNamespace: 'Microsoft.ServiceBus/namespaces'
            metricName: 'ActiveMessages'
            dimensions: [
              {
                name: 'EntityName'
                operator: 'Include'
                values: [
                  '${outreachTopicPrefix}${code}'
                ]
              }
            ]
            operator: 'GreaterThan'
            threshold: 0
            timeAggregation: 'Minimum'
          }
          {
            criterionType: 'StaticThresholdCriterion'
            name: 'none-completed'
            metricNamespace: 'Microsoft.ServiceBus/namespaces'
            metricName: 'CompleteMessage'
            dimensions: [
              {
                name: 'EntityName'
                operator: 'Include'
                values: [
                  '${outreachTopicPrefix}${code}'
                ]
              }
            ]
            operator: 'LessThan'
            threshold: 1
            timeAggregation: 'Total'
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
]

// ---------------------------------------------------------------------------------------------
// The health endpoint from outside: several Azure locations in Europe call it every 5 minutes.

var webTestName = 'webtest-${namePrefix}-health'

resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: webTestName
  location: location
  // Application Insights lists a web test only when it carries this tag.
  tags: union(tags, {
    'hidden-link:${applicationInsightsId}': 'Resource'
  })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: webTestName
    Name: 'VroegSignalering health'
    Description: 'GET https://${functionAppHostName}/api/health answers 200 (storage reachable).'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [
      { Id: 'emea-nl-ams-azr' } // West Europe
      { Id: 'emea-gb-db3-azr' } // North Europe
      { Id: 'emea-fr-pra-edge' } // France Central
      { Id: 'emea-ru-msa-edge' } // UK South
      { Id: 'emea-se-sto-edge' } // UK West
    ]
    Request: {
      RequestUrl: 'https://${functionAppHostName}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource availability 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${namePrefix}-availability'
  location: 'global'
  tags: tags
  properties: {
    description: 'The health endpoint failed from 2 or more of 5 locations: the app is down, not starting, or its storage does not answer. Runbook: ${runbook}availability'
    severity: 0
    enabled: true
    scopes: [
      healthTest.id
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: applicationInsightsId
      failedLocationCount: 2
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// Log alerts over the app's metrics and the host's requests in Application Insights.

var logAlerts = [
  {
    // summarize without "by" returns one row even when nothing arrived, so silence counts 0 and fires
    // (a "no rows" result would resolve the alert exactly when the app is down).
    name: 'heartbeat'
    severity: 0
    description: 'No pipeline heartbeat (metric vroeg.pipeline.heartbeat) for ${heartbeatSilenceMinutes} minutes: the app is down, cannot start, or its timers do not run.'
    query: 'customMetrics\n| where name == "vroeg.pipeline.heartbeat"\n| summarize heartbeats = count()'
    measure: 'heartbeats'
    aggregation: 'Total'
    dimension: ''
    operator: 'LessThan'
    threshold: 1
    window: 'PT${heartbeatSilenceMinutes}M'
  }
  {
    name: 'poison-queues'
    severity: 1
    description: 'Storage queue messages moved to a -poison queue after their last attempt (metric vroeg.queue.poison.length).'
    query: 'customMetrics\n| where name == "vroeg.queue.poison.length"\n| extend queue = tostring(customDimensions["queue"])\n| summarize poisonMessages = max(valueMax) by queue'
    measure: 'poisonMessages'
    aggregation: 'Maximum'
    dimension: 'queue'
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
  }
  {
    name: 'poison-ageing'
    severity: 1
    description: 'A poison message has waited more than ${poisonAgeHours} hours without a re-drive (metric vroeg.queue.poison.age.seconds).'
    query: 'customMetrics\n| where name == "vroeg.queue.poison.age.seconds"\n| extend queue = tostring(customDimensions["queue"])\n| summarize oldestHours = max(valueMax) / 3600 by queue'
    measure: 'oldestHours'
    aggregation: 'Maximum'
    dimension: 'queue'
    operator: 'GreaterThan'
    threshold: poisonAgeHours
    window: 'PT15M'
  }
  {
    name: 'quarantine-ageing'
    severity: 2
    description: 'A signal has been in quarantine (address not routable) for more than ${quarantineAgeDays} days: a household that should be helped is not reached (metric vroeg.quarantine.age.seconds).'
    query: 'customMetrics\n| where name == "vroeg.quarantine.age.seconds"\n| summarize oldestDays = max(valueMax) / 86400'
    measure: 'oldestDays'
    aggregation: 'Maximum'
    dimension: ''
    operator: 'GreaterThan'
    threshold: quarantineAgeDays
    window: 'PT15M'
  }
  {
    // The count behind the age: how many households wait, not only that one does. The app compares each signal's
    // quarantine time with Quarantine__AlertAfterDays, the same number as this alert's.
    name: 'quarantine-overdue'
    severity: 2
    description: 'Signals have been in quarantine for more than ${quarantineAgeDays} days: re-drive them after updating the address file, or assign a gemeente by hand (metric vroeg.quarantine.overdue).'
    query: 'customMetrics\n| where name == "vroeg.quarantine.overdue"\n| summarize overdueSignals = max(valueMax)'
    measure: 'overdueSignals'
    aggregation: 'Maximum'
    dimension: ''
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
  }
  {
    // Recorded once an hour by the EscalateOverdue timer (EscalateOverdueSchedule), so the window spans two runs. Each
    // overdue task also got an escalation revision; the alert is for the people who answer for the team's capacity.
    name: 'escalation-overdue'
    severity: 2
    description: 'Outreach tasks passed their due date without a contact attempt (3 working days for Spoed, the gemeente norm for the rest) and were escalated: a team is not keeping up (metric vroeg.escalation.overdue_tasks).'
    query: 'customMetrics\n| where name == "vroeg.escalation.overdue_tasks"\n| summarize overdueTasks = max(valueMax)'
    measure: 'overdueTasks'
    aggregation: 'Maximum'
    dimension: ''
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT2H'
  }
  {
    name: 'outbox-failed'
    severity: 1
    description: 'Outbox rows that gave up sending an outreach task (metric vroeg.outbox.failed).'
    query: 'customMetrics\n| where name == "vroeg.outbox.failed"\n| summarize failedRows = max(valueMax)'
    measure: 'failedRows'
    aggregation: 'Maximum'
    dimension: ''
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
  }
  {
    // Growth alone is a monthly batch arriving; growth while the oldest row waits past the sweeper is a
    // dispatch that does not drain.
    name: 'outbox-pending-growth'
    severity: 2
    description: 'Outbox rows pending grew over 30 minutes while the oldest waited more than ${outboxPendingAgeMinutes} minutes: tasks are committed but not sent (metrics vroeg.outbox.pending, vroeg.outbox.pending.age.seconds).'
    query: 'let pending = customMetrics | where name == "vroeg.outbox.pending" | project timestamp, rows = valueMax;\nlet first = toscalar(pending | top 1 by timestamp asc | project rows);\nlet last = toscalar(pending | top 1 by timestamp desc | project rows);\ncustomMetrics\n| where name == "vroeg.outbox.pending.age.seconds"\n| summarize oldestMinutes = max(valueMax) / 60\n| where oldestMinutes > ${outboxPendingAgeMinutes}\n| project growth = last - first'
    measure: 'growth'
    aggregation: 'Maximum'
    dimension: ''
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT30M'
  }
  {
    name: 'signal-to-task-latency'
    severity: 2
    description: 'A task reached the broker more than ${signalToTaskTargetMinutes} minutes (the target) after its signal was received (metric vroeg.pipeline.signal_to_task.seconds, by gemeente).'
    query: 'customMetrics\n| where name == "vroeg.pipeline.signal_to_task.seconds"\n| extend gemeentecode = tostring(customDimensions["gemeentecode"])\n| summarize slowestMinutes = max(valueMax) / 60 by gemeentecode'
    measure: 'slowestMinutes'
    aggregation: 'Maximum'
    dimension: 'gemeentecode'
    operator: 'GreaterThan'
    threshold: signalToTaskTargetMinutes
    window: 'PT30M'
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
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
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
      description: '${alert.description} Runbook: ${runbook}${alert.name}'
      severity: alert.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: alert.window
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
            operator: alert.operator
            threshold: alert.threshold
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
