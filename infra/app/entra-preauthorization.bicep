// Step 2 of the API's app registration (entra.bicep is step 1): the client applications
// pre-authorized for its delegated scopes. Microsoft Graph refuses a preAuthorizedApplications
// entry that names a scope id created in the same request ("Property
// api.preAuthorizedApplications.delegatedPermissionIds has a Permission Id that cannot be found in
// the AppPermissions sets"; the scopes must exist before the request that pre-authorizes them), so
// step 1 creates the scopes and this later deployment adds the pre-authorization to the same
// registration (the same uniqueName: the Graph extension updates it in place). The whole `api`
// object is sent again, unchanged but for the pre-authorization, so the result is the same whether
// Graph merges the object or replaces it.
extension microsoftGraphV1

@description('The registration step 1 created (Graph `uniqueName`).')
param uniqueName string
param displayName string
@description('Step 1\'s `api.oauth2PermissionScopes`, unchanged.')
param oauth2PermissionScopes array
@description('The pre-authorized client applications ({appId, delegatedPermissionIds}); empty = none.')
param preAuthorizedApplications array

resource application 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  api: {
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: oauth2PermissionScopes
    preAuthorizedApplications: preAuthorizedApplications
  }
}
