// The operators' dashboard: an Azure Workbook over Application Insights. The definition lives in
// workbooks/operations.workbook.json so it can be edited in the portal and pasted back.

param location string
param tags object
param applicationInsightsId string

@description('Changing this makes a new workbook instead of updating the existing one.')
param workbookKey string

var definition = json(loadTextContent('../workbooks/operations.workbook.json'))

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, workbookKey)
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'VroegSignalering operations'
    category: 'workbook'
    sourceId: applicationInsightsId
    // The file holds no resource ids; bind it to this deployment's Application Insights here.
    serializedData: string(union(definition, { fallbackResourceIds: [applicationInsightsId] }))
  }
}

output id string = workbook.id
