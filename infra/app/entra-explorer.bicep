// Step 3 of the API's app registration (entra.bicep is step 1, entra-preauthorization.bicep step 2):
// the API explorer's single-page-application redirect URI. The explorer (GET /api/docs, Swagger UI)
// signs in with the API's own registration: authorization code with PKCE, no secret, the code redeemed
// by the browser (which the SPA platform allows). Its redirect page is on the function app's host name,
// known only once the app exists, and the app needs the registration's client id first; so this later
// deployment adds the URI to the same registration (the same uniqueName: the Graph extension updates it
// in place with PATCH, leaving every property it does not name as steps 1 and 2 set it).
extension microsoftGraphV1

@description('The registration step 1 created (Graph `uniqueName`).')
param uniqueName string
param displayName string
@description('The explorer\'s OAuth redirect page on each host name it is served from.')
param redirectUris array

resource application 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  spa: {
    redirectUris: redirectUris
  }
}
