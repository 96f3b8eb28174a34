// Cosmos DB data-plane role assignments (these are not Azure RBAC roleAssignments): the built-in
// Data Contributor role, scoped to the account, as Microsoft's azd Functions + Cosmos DB template
// does (functions-quickstart-python-azd-cosmosdb, infra/app/rbac.bicep: scope = account id).
// Why the account and not the database: the SDK's first request is the account read (GET /, the
// account's regions), a metadata request under `readMetadata`; Microsoft's permission model lists,
// for each scope, the metadata requests it allows, and names listing databases only at the account
// scope and the account's own configuration at none, so a narrower assignment risks a 403 (5301)
// on every cold start, which no test here can rule out. The reach is the same: this account is
// created for this app alone (cosmos.bicep) and holds one database with one container, and the
// role has no management rights (no database or container create or delete, keys are disabled).
param accountName string
param principalId string
@description('Optional: a developer\'s object id, given the same data role for local runs. Empty = none.')
param developerPrincipalId string = ''

// Cosmos DB Built-in Data Contributor (00000000-0000-0000-0000-000000000001 is the Data Reader).
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: accountName
}

var roleDefinitionId = '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
// The data-plane path of the scope: '/' is the whole account (database scope would be '/dbs/<name>').
var dataScopePath = '/'

// The name derives from the principal and the scope, so a new identity or a new scope gives a new
// assignment instead of an update (the principal of an existing assignment cannot be updated; an
// environment provisioned with the earlier database scope keeps that assignment, which grants less).
resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(dataContributorRoleId, principalId, account.id, dataScopePath)
  properties: {
    principalId: principalId
    roleDefinitionId: roleDefinitionId
    scope: account.id
  }
}

resource developerDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(developerPrincipalId)) {
  parent: account
  name: guid(dataContributorRoleId, developerPrincipalId, account.id, dataScopePath)
  properties: {
    principalId: developerPrincipalId
    roleDefinitionId: roleDefinitionId
    scope: account.id
  }
}
