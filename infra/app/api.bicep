// The function app on a Flex Consumption (FC1) plan, running as the user-assigned identity.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
@description('Host storage (AzureWebJobsStorage).')
param storageAccountName string
@description('The account holding the deployment package container (apart from host storage).')
param deploymentStorageAccountName string
param deploymentContainerName string
param applicationInsightsName string

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100
@description('Always-ready instances for the HTTP group; 0 = none (scales to zero, cold starts).')
@minValue(0)
param alwaysReadyInstances int = 0
// Flex Consumption sets HTTP concurrency per instance here, not in host.json; its default for
// Python is 1. Every function is synchronous and I/O bound, and the Python worker runs each
// invocation on one thread of its pool, so the pool gets exactly as many threads as requests an
// instance is given: fewer would queue admitted requests inside the worker, more would sit idle.
@description('HTTP requests one instance runs at once, and the Python worker\'s thread count.')
@minValue(1)
@maxValue(100)
param httpPerInstanceConcurrency int = 16

// Product settings (contract §7).
param cosmosEndpoint string
param cosmosDatabase string
param cosmosContainer string
param entraTenantId string
param entraAudiences string
param entraAuthority string
@minValue(2)
@maxValue(104857600)
param maxBodyBytes int
@minValue(2)
@maxValue(104857600)
param maxBatchBodyBytes int
@minValue(1)
@maxValue(10000)
param maxFacetsPerUser int
@minValue(65536)
@maxValue(104857600)
param maxResponseBytes int
@minValue(65536)
@maxValue(1073741824)
param maxStoredBytesPerUser int
@allowed([
  'local'
  'graph'
])
param directory string
param graphEndpoint string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource deploymentStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: deploymentStorageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Every app setting, in one place. The names are the contract's (shared.settings.SETTING_NAMES)
// plus the platform's (Functions host storage, Application Insights, the Python worker's thread
// pool). No keys, no secrets: the identity reaches storage, Cosmos DB, Microsoft Graph and App
// Insights with Entra tokens. On Flex Consumption the runtime and the scale settings come from
// functionAppConfig, so FUNCTIONS_WORKER_RUNTIME, WEBSITE_RUN_FROM_PACKAGE, linuxFxVersion and
// FUNCTIONS_WORKER_PROCESS_COUNT (not valid on Flex) are deliberately absent.
var appSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  PYTHON_THREADPOOL_THREAD_COUNT: string(httpPerInstanceConcurrency)
  PROFILE_STORE: 'cosmos'
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabase
  COSMOS_CONTAINER: cosmosContainer
  AZURE_CLIENT_ID: identityClientId
  ENTRA_TENANT_ID: entraTenantId
  ENTRA_AUDIENCES: entraAudiences
  ENTRA_AUTHORITY: entraAuthority
  MAX_BODY_BYTES: string(maxBodyBytes)
  MAX_BATCH_BODY_BYTES: string(maxBatchBodyBytes)
  MAX_FACETS_PER_USER: string(maxFacetsPerUser)
  MAX_RESPONSE_BYTES: string(maxResponseBytes)
  MAX_STORED_BYTES_PER_USER: string(maxStoredBytesPerUser)
  DIRECTORY: directory
  GRAPH_ENDPOINT: graphEndpoint
}

var alwaysReadyHttp = [
  {
    name: 'http'
    instanceCount: alwaysReadyInstances
  }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  // checkov:skip=CKV_AZURE_225:Zone redundancy on Flex Consumption is regional and adds always-ready cost; a single-zone plan fits this scale-to-zero API
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

resource site 'Microsoft.Web/sites@2024-04-01' = {
  // checkov:skip=CKV_AZURE_222:The API is public by design; every request needs an Entra bearer token (Easy Auth and the code)
  // checkov:skip=CKV_AZURE_17:Callers authenticate with Entra bearer tokens, not client certificates
  // checkov:skip=CKV_AZURE_212:Always-ready instances are a cost choice, set by the alwaysReadyInstances parameter (default 0 = scale to zero)
  // checkov:skip=CKV_AZURE_213:The contract defines no health route, and a Flex app that scales to zero has no instance to probe
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      remoteDebuggingEnabled: false
      appSettings: [for setting in items(appSettings): {
        name: setting.key
        value: setting.value
      }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${deploymentStorage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: (alwaysReadyInstances > 0) ? alwaysReadyHttp : []
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// No basic (publishing profile) credentials: deployment uses the identity and Entra tokens.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output url string = 'https://${site.properties.defaultHostName}'
