// Cosmos DB for NoSQL, serverless, Entra-only (account keys disabled). The database and the
// container are created here, never by the app: an Entra token cannot create them on the data plane.
param accountName string
param location string
param tags object
param databaseName string
param containerName string

// The container's partition key, TTL and indexing policy have one source of truth, shared with the
// Python adapter (shared/repository/cosmos/connection.py reads the same file).
var containerDefinition = loadJsonContent('../../shared/repository/cosmos_container.json')

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  // checkov:skip=CKV_AZURE_101:No VNet integration, so the app reaches Cosmos DB publicly; keys are disabled and only Entra identities holding the data role get in
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    enableAutomaticFailover: false
    enableMultipleWriteLocations: false
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

// Serverless: no throughput may be set, so `options` stays empty.
resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      partitionKey: containerDefinition.partitionKey
      defaultTtl: containerDefinition.defaultTtl
      indexingPolicy: containerDefinition.indexingPolicy
    }
    options: {}
  }
}

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output containerName string = container.name
