// A storage account reached through Entra identities only (shared keys and anonymous access off).
// Used twice: for the Functions host (AzureWebJobsStorage) and, separately, for the Flex Consumption
// deployment package, so that each holds only what its role assignment covers (see rbac.bicep).
param name string
param location string
param tags object
@description('Blob containers to create (the host creates its own; the deployment account needs its package container).')
param containerNames array = []
@description('Keep previous versions of every blob (the deployment account: an overwritten package can be restored).')
param blobVersioning bool = false

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35:No VNet integration on this Flex app, so the host reaches storage over the public endpoint; shared keys are off and access is Entra RBAC only
  // checkov:skip=CKV_AZURE_59:Same as CKV_AZURE_35: public network access is needed without VNet integration; anonymous blob access and shared keys are disabled
  // checkov:skip=CKV_AZURE_206:LRS is enough: the account holds only the re-creatable deployment package and host leases, no product data
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    isVersioningEnabled: blobVersioning
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for containerName in containerNames: {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}]

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
