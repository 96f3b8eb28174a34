// Profile API: Flex Consumption function app + Cosmos DB (serverless) + Entra ID app registration.
// Provisioned by `azd up` (see docs/deploy.md). Every connection is identity-based; no keys.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; part of every resource name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name; empty = rg-<environmentName>.')
param resourceGroupName string = ''

@description('Optional: object id of a developer (a user) given the Cosmos DB data role for local runs. Empty = none.')
param principalId string = ''

param cosmosDatabaseName string = 'profiles'
param cosmosContainerName string = 'profiles'

// The limits carry the bounds shared/settings.py enforces at start-up, so a value the app would
// refuse never provisions.
@description('MAX_BODY_BYTES: request body limit in bytes.')
@minValue(2)
@maxValue(104857600)
param maxBodyBytes int = 65536

@description('MAX_BATCH_BODY_BYTES: limit in bytes of a $batch request body (each request in it is held to MAX_BODY_BYTES).')
@minValue(2)
@maxValue(104857600)
param maxBatchBodyBytes int = 2097152

@description('MAX_FACETS_PER_USER: facets per user in each collection.')
@minValue(1)
@maxValue(10000)
param maxFacetsPerUser int = 100

@description('MAX_RESPONSE_BYTES: the largest response body of a list or a profile; pages stop before it.')
@minValue(65536)
@maxValue(104857600)
param maxResponseBytes int = 4194304

@description('MAX_STORED_BYTES_PER_USER: the most bytes of facets one user may store, all collections together.')
@minValue(65536)
@maxValue(1073741824)
param maxStoredBytesPerUser int = 8388608

@description('DIRECTORY: where users come from. graph = Microsoft Graph (needs the User.Read.All app role, granted here); local = only users the service has seen (no Graph role needed).')
@allowed([
  'local'
  'graph'
])
param directory string = 'graph'

@description('GRAPH_ENDPOINT: Microsoft Graph root for DIRECTORY=graph (a national cloud has its own).')
param graphEndpoint string = 'https://graph.microsoft.com'

@description('HTTP requests one instance runs at once; also the Python worker\'s thread count (PYTHON_THREADPOOL_THREAD_COUNT), since every invocation is synchronous.')
@minValue(1)
@maxValue(100)
param httpPerInstanceConcurrency int = 16

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Always-ready HTTP instances. 0 = none: the app scales to zero and costs nothing idle. Each instance is billed even when idle.')
@minValue(0)
param alwaysReadyInstances int = 0

@description('Put App Service Authentication (Easy Auth) in front of the functions. The code validates tokens either way.')
param enableEasyAuth bool = true

@description('Pre-authorize the Azure CLI for User.Read and User.ReadWrite on the API (lets `az account get-access-token --scope` work without consent).')
param preAuthorizeAzureCli bool = true

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
// The deployment package lives in its own storage account, apart from the host's storage (see
// app/rbac.bicep for the roles on each).
var deploymentStorageName = '${abbrs.storageStorageAccounts}pkg${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'

// App ID URI: api://<tenantId>/<uniqueName>. It must be known before the app registration exists
// (api://<appId> is not), and a tenant id in the URI satisfies Entra's identifier-URI restrictions.
var apiUniqueName = 'profile-api-${resourceToken}'
var apiIdentifierUri = 'api://${tenant().tenantId}/${apiUniqueName}'
var apiDisplayName = 'Profile API (${environmentName})'

// ENTRA_AUTHORITY is the authority host without a trailing slash (contract §7).
var loginEndpoint = environment().authentication.loginEndpoint
var entraAuthority = (endsWith(loginEndpoint, '/')) ? substring(loginEndpoint, 0, length(loginEndpoint) - 1) : loginEndpoint

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity './app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

// Host storage (AzureWebJobsStorage): leases and keys; the host creates its own containers.
module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
  }
}

// Deployment storage: only the Flex Consumption package container. Blob versioning keeps every
// package ever written, so an overwritten package can be restored.
module deploymentStorage './app/storage.bicep' = {
  name: 'deployment-storage'
  scope: rg
  params: {
    name: deploymentStorageName
    location: location
    tags: tags
    containerNames: [
      deploymentContainerName
    ]
    blobVersioning: true
  }
}

module monitoring './app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module cosmos './app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    accountName: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    containerName: cosmosContainerName
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    deploymentStorageAccountName: deploymentStorage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    principalId: identity.outputs.principalId
  }
}

module cosmosRbac './app/cosmos-rbac.bicep' = {
  name: 'cosmos-rbac'
  scope: rg
  params: {
    accountName: cosmos.outputs.accountName
    principalId: identity.outputs.principalId
    developerPrincipalId: principalId
  }
}

module entra './app/entra.bicep' = {
  name: 'entra'
  scope: rg
  params: {
    uniqueName: apiUniqueName
    displayName: apiDisplayName
    identifierUri: apiIdentifierUri
    preAuthorizeAzureCli: preAuthorizeAzureCli
  }
}

// Microsoft Graph's User.Read.All application role for the app's identity: only with
// DIRECTORY=graph (the local directory calls no Graph API). The identity was created moments
// earlier and Entra ID replicates its service principal with a delay, during which Graph answers
// that the principal does not exist; waiting for the Cosmos DB account (minutes to create, and the
// app waits for it anyway) gives replication that time. It cannot guarantee it: see docs/deploy.md
// for the rerun.
module directoryRole './app/directory.bicep' = if (directory == 'graph') {
  name: 'directory'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
  }
  dependsOn: [
    cosmos
  ]
}

var entraAudiences = '${entra.outputs.appId},${apiIdentifierUri}'

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentStorageAccountName: deploymentStorage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyInstances: alwaysReadyInstances
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabase: cosmos.outputs.databaseName
    cosmosContainer: cosmos.outputs.containerName
    entraTenantId: tenant().tenantId
    entraAudiences: entraAudiences
    entraAuthority: entraAuthority
    maxBodyBytes: maxBodyBytes
    maxBatchBodyBytes: maxBatchBodyBytes
    maxFacetsPerUser: maxFacetsPerUser
    maxResponseBytes: maxResponseBytes
    maxStoredBytesPerUser: maxStoredBytesPerUser
    directory: directory
    graphEndpoint: graphEndpoint
  }
  // The identity must hold its roles before the host starts.
  dependsOn: [
    rbac
    cosmosRbac
    directoryRole
  ]
}

// The API explorer (GET /api/docs) signs in with the API's registration: its OAuth redirect page on the
// app's host name, added once the function app exists (after the api module, so after the registration).
module entraExplorer './app/entra-explorer.bicep' = {
  name: 'entra-explorer'
  scope: rg
  params: {
    uniqueName: apiUniqueName
    displayName: apiDisplayName
    redirectUris: [
      'https://${api.outputs.defaultHostName}/api/docs/oauth2-redirect.html'
    ]
  }
}

module auth './app/auth.bicep' = if (enableEasyAuth) {
  name: 'auth'
  scope: rg
  params: {
    siteName: api.outputs.name
    clientId: entra.outputs.appId
    identifierUri: apiIdentifierUri
  }
}

// azd stores these as environment values (`azd env get-values`).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output AZURE_FUNCTION_URL string = api.outputs.url
output ENTRA_API_CLIENT_ID string = entra.outputs.appId
output ENTRA_API_IDENTIFIER_URI string = apiIdentifierUri
// The app's managed identity. Not named AZURE_CLIENT_ID: shells that load `azd env get-values`
// would otherwise hand it to every DefaultAzureCredential they run. The app setting keeps the
// name AZURE_CLIENT_ID, which is what azure-identity reads in Azure.
output API_IDENTITY_CLIENT_ID string = identity.outputs.clientId

// The product settings, under the contract's names (§7), exactly as the app receives them
// (AZURE_CLIENT_ID excepted, see API_IDENTITY_CLIENT_ID above).
output PROFILE_STORE string = 'cosmos'
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmos.outputs.databaseName
output COSMOS_CONTAINER string = cosmos.outputs.containerName
output ENTRA_TENANT_ID string = tenant().tenantId
output ENTRA_AUDIENCES string = entraAudiences
output ENTRA_AUTHORITY string = entraAuthority
output MAX_BODY_BYTES string = string(maxBodyBytes)
output MAX_BATCH_BODY_BYTES string = string(maxBatchBodyBytes)
output MAX_FACETS_PER_USER string = string(maxFacetsPerUser)
output MAX_RESPONSE_BYTES string = string(maxResponseBytes)
output MAX_STORED_BYTES_PER_USER string = string(maxStoredBytesPerUser)
output DIRECTORY string = directory
output GRAPH_ENDPOINT string = graphEndpoint
