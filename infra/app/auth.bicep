// App Service Authentication (Easy Auth, authsettingsV2) in front of the functions: requests
// without a valid bearer token for this API are answered 401 before they reach the worker. The
// code still validates every token itself (contract §4); this is defence in depth.
param siteName string
param clientId string
param identifierUri string

// The routes the contract promises without a token: the OpenAPI document and the API explorer's
// page and files (they describe the API and expose no data; the explorer signs in itself). The
// explorer's files are listed one by one (the app serves a fixed list of them, shared/explorer/assets.py).
// Every other path, including unknown ones, needs a token.
var anonymousPaths = [
  '/api/openapi.json'
  '/api/docs'
  '/api/docs/swagger-ui.css'
  '/api/docs/swagger-ui-bundle.js'
  '/api/docs/oauth2-redirect.html'
  '/api/docs/oauth2-redirect.js'
  '/api/docs/favicon-32x32.png'
  '/api/docs/explorer.js'
  '/api/docs/explorer.css'
]

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: siteName
}

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  // checkov:skip=CKV_AZURE_13:False positive: the check reads only the V1 authsettings `enabled` flag; this authsettingsV2 resource enables and requires authentication
  // checkov:skip=CKV_AZURE_63:False positive: HTTP logging is a siteConfig/logs setting, not part of authsettingsV2 (the check fires on every sites/config resource)
  // checkov:skip=CKV_AZURE_65:False positive: detailed error messages are not part of authsettingsV2 (fires on every sites/config resource)
  // checkov:skip=CKV_AZURE_66:False positive: failed request tracing is not part of authsettingsV2 (fires on every sites/config resource)
  // checkov:skip=CKV_AZURE_80:False positive: .NET version does not apply to a Python app or to authsettingsV2
  // checkov:skip=CKV_AZURE_88:False positive: Azure Files mounts do not apply to authsettingsV2 (and Flex uses none)
  // checkov:skip=CKV_AZURE_222:False positive: public network access is a site property, not part of authsettingsV2; see the site resource
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: anonymousPaths
    }
    httpSettings: {
      requireHttps: true
      routes: {
        apiPrefix: '/.auth'
      }
      forwardProxy: {
        convention: 'NoProxy'
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          // v2 access tokens carry the bare client id as `aud`; v1 tokens carry the App ID URI.
          allowedAudiences: [
            clientId
            identifierUri
          ]
          // No client-application or principal allow-list: any client app of the tenant whose
          // token is issued for this API passes, as with Graph. Which caller may do what is decided
          // by the code from `scp` and `roles` (contract §4), answering 403 in Graph's format. Set
          // explicitly (empty lists mean "no restriction"), so no list left behind by the portal
          // survives a redeploy and refuses valid tokens.
          defaultAuthorizationPolicy: {
            allowedApplications: []
            allowedPrincipals: {
              identities: []
            }
          }
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}
