// Cosmos DB data-plane role assignments (these are not Azure RBAC roleAssignments).
// Scope: the database. A container-scoped assignment is narrower, but SDK metadata reads on the
// database (readMetadata on dbs/<db>) are then refused with 403/5301; the database holds only our
// container, so the effective reach is the same.
param accountName string
param databaseName string
param principalId string
@description('Optional: a developer\'s object id, given the same data role for local runs. Empty = none.')
param developerPrincipalId string = ''

// Cosmos DB Built-in Data Contributor (00000000-0000-0000-0000-000000000001 is the Data Reader).
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: accountName
}

var roleDefinitionId = '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
var databaseScope = '${account.id}/dbs/${databaseName}'

// The name derives from the principal: a new identity gets a new assignment (the principal of an
// existing assignment cannot be updated).
resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(dataContributorRoleId, principalId, account.id)
  properties: {
    principalId: principalId
    roleDefinitionId: roleDefinitionId
    scope: databaseScope
  }
}

resource developerDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(developerPrincipalId)) {
  parent: account
  name: guid(dataContributorRoleId, developerPrincipalId, account.id)
  properties: {
    principalId: developerPrincipalId
    roleDefinitionId: roleDefinitionId
    scope: databaseScope
  }
}
