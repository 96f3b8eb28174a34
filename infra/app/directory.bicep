// DIRECTORY=graph: the app's managed identity gets Microsoft Graph's User.Read.All application
// role, so it can read directory users (GET /v1.0/users/{id or UPN}, contract §5). Deployed only
// with DIRECTORY=graph (main.bicep). Assigning an app role of Microsoft Graph needs the
// Privileged Role Administrator role (or Global Administrator) for a signed-in deployer, or
// AppRoleAssignment.ReadWrite.All with Application.Read.All for a pipeline identity.
extension microsoftGraphV1

@description('Object (principal) id of the app\'s user-assigned managed identity, which is its service principal.')
param principalId string

// Microsoft Graph's application id, the same in every tenant.
var microsoftGraphAppId = '00000003-0000-0000-c000-000000000000'
// Microsoft Graph's User.Read.All application permission ("Read all users' full profiles"); the
// id is Microsoft's published one and the same in every tenant.
var userReadAllAppRoleId = 'df021288-bdef-4463-88db-98f22de89214'

resource microsoftGraph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: microsoftGraphAppId
}

resource userReadAll 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: userReadAllAppRoleId
  principalId: principalId
  resourceId: microsoftGraph.id
}
