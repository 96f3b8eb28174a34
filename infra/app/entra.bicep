// The API's Entra ID app registration and its service principal (Microsoft Graph Bicep extension).
// Deploying it needs permission to create applications in the tenant (e.g. the Application
// Developer role, or Application.ReadWrite.OwnedBy for a pipeline identity).
extension microsoftGraphV1

@description('Tenant-unique, immutable key of the app registration (Graph `uniqueName`).')
param uniqueName string
param displayName string
@description('Application ID URI. Known before creation (it cannot use the appId), e.g. api://<tenantId>/<name>.')
param identifierUri string
@description('Pre-authorize the Azure CLI for the own-data scopes (User.Read, User.ReadWrite) so `az account get-access-token --scope` works without a consent prompt. Applied in a second step (entra-preauthorization.bicep).')
param preAuthorizeAzureCli bool = true

// Microsoft's well-known client id of the Azure CLI.
var azureCliAppId = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'

// Stable permission ids: derived from the registration's uniqueName and the permission value, so a
// redeploy never changes them. A permission offered both as a delegated scope and as an app role
// (User.Read.All, User.ReadWrite.All) must use one id with matching texts: Entra rejects a scope and
// a role that share a value otherwise.
var readId = guid(uniqueName, 'permission', 'User.Read')
var readWriteId = guid(uniqueName, 'permission', 'User.ReadWrite')
var readBasicAllId = guid(uniqueName, 'permission', 'User.ReadBasic.All')
var readAllId = guid(uniqueName, 'permission', 'User.Read.All')
var readWriteAllId = guid(uniqueName, 'permission', 'User.ReadWrite.All')

var readAllName = 'Read all users\' profiles'
var readAllText = 'Allows reading the profile and account information of every user in the organization.'
var readWriteAllName = 'Read and write all users\' profiles'
var readWriteAllText = 'Allows reading and changing the profile and account information of every user in the organization.'

var scopes = [
  {
    id: readId
    value: 'User.Read'
    type: 'User'
    isEnabled: true
    adminConsentDisplayName: 'Read your profile'
    adminConsentDescription: 'Allows reading the signed-in user\'s profile and account information.'
    userConsentDisplayName: 'Read your profile'
    userConsentDescription: 'Allows the app to read your profile and account information.'
  }
  {
    id: readWriteId
    value: 'User.ReadWrite'
    type: 'User'
    isEnabled: true
    adminConsentDisplayName: 'Read and write your profile'
    adminConsentDescription: 'Allows reading and changing the signed-in user\'s profile and account information.'
    userConsentDisplayName: 'Read and write your profile'
    userConsentDescription: 'Allows the app to read and change your profile and account information.'
  }
  {
    id: readBasicAllId
    value: 'User.ReadBasic.All'
    type: 'User'
    isEnabled: true
    adminConsentDisplayName: 'Read all users\' shared profile information'
    adminConsentDescription: 'Allows reading the profile information other users share with the organization.'
    userConsentDisplayName: 'Read all users\' shared profile information'
    userConsentDescription: 'Allows the app to read the profile information other users share with the organization.'
  }
  {
    id: readAllId
    value: 'User.Read.All'
    type: 'Admin'
    isEnabled: true
    adminConsentDisplayName: readAllName
    adminConsentDescription: readAllText
    userConsentDisplayName: readAllName
    userConsentDescription: readAllText
  }
  {
    id: readWriteAllId
    value: 'User.ReadWrite.All'
    type: 'Admin'
    isEnabled: true
    adminConsentDisplayName: readWriteAllName
    adminConsentDescription: readWriteAllText
    userConsentDisplayName: readWriteAllName
    userConsentDescription: readWriteAllText
  }
]

var appRoles = [
  {
    id: readAllId
    value: 'User.Read.All'
    allowedMemberTypes: [
      'Application'
    ]
    isEnabled: true
    displayName: readAllName
    description: readAllText
  }
  {
    id: readWriteAllId
    value: 'User.ReadWrite.All'
    allowedMemberTypes: [
      'Application'
    ]
    isEnabled: true
    displayName: readWriteAllName
    description: readWriteAllText
  }
]

// Only the own-data scopes, which users may consent to themselves anyway; never the .All ones.
// Applied by the second step below, once the scopes exist.
var azureCliPreAuthorization = [
  {
    appId: azureCliAppId
    delegatedPermissionIds: [
      readId
      readWriteId
    ]
  }
]

resource application 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  identifierUris: [
    identifierUri
  ]
  // No preAuthorizedApplications here: Graph refuses one that names a scope created in the same
  // request, so the pre-authorization is a second step (the module below).
  api: {
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: scopes
  }
  appRoles: appRoles
}

// Step 2: the pre-authorization, in its own deployment once the registration and its scopes exist
// (reading application.uniqueName makes it wait for step 1). Always deployed, so turning
// PRE_AUTHORIZE_AZURE_CLI off removes an earlier pre-authorization.
module preAuthorization './entra-preauthorization.bicep' = {
  name: 'entra-preauthorization'
  params: {
    uniqueName: application.uniqueName
    displayName: displayName
    oauth2PermissionScopes: scopes
    preAuthorizedApplications: preAuthorizeAzureCli ? azureCliPreAuthorization : []
  }
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: application.appId
}

output appId string = application.appId
output identifierUri string = identifierUri
output servicePrincipalId string = servicePrincipal.id
