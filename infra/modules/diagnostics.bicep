// Resource logs to the Log Analytics workspace, for the two places personal data passes through outside
// the app: the storage tables (households, cases, tasks; read access to personal data is what a DPIA asks
// to be able to show) and the Service Bus namespace (management operations, network denials, client
// errors; on Premium also data-plane access: who sent and received). Key Vault's audit log is set in
// keyvault.bicep.

param workspaceId string
param storageAccountName string
param serviceBusNamespaceName string

@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName

  resource tables 'tableServices' existing = {
    name: 'default'
  }
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

// StorageTableLogs: every read, write and delete with the caller's identity, the operation and the
// entity's keys (partition keys are pseudonymous household keys, never names or addresses).
resource tableAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: storage::tables
  name: 'table-access-to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

// Categories of Microsoft.ServiceBus/namespaces (Azure Service Bus monitoring data reference). Runtime
// audit and application metrics logs exist on Premium only.
var serviceBusCategories = concat(
  [
    'OperationalLogs'
    'VNetAndIPFilteringLogs'
    'DiagnosticErrorLogs'
  ],
  serviceBusSku == 'Premium'
    ? [
        'RuntimeAuditLogs'
        'ApplicationMetricsLogs'
      ]
    : []
)

resource serviceBusLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: namespace
  name: 'servicebus-to-log-analytics'
  properties: {
    workspaceId: workspaceId
    // Resource-specific tables (AZMSOperationalLogs, AZMSRuntimeAuditLogs, …) rather than AzureDiagnostics.
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      for category in serviceBusCategories: {
        category: category
        enabled: true
      }
    ]
  }
}
