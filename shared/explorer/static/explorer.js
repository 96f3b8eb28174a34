/* The Profile API explorer: starts Swagger UI on the API's OpenAPI document.
 * Its settings are data- attributes of #explorer-config (set by the page, see shared/explorer/page.py),
 * so the page needs no inline script. The Authorize button signs in with the authorization code flow and
 * PKCE (the API's own app registration in Entra ID, or the development issuer in a local run); the token
 * lives in this page only (never in storage), and Try it out sends it with every request.
 */
(function () {
  "use strict";
  var config = document.getElementById("explorer-config").dataset;
  var ui = window.SwaggerUIBundle({
    url: config.document,
    dom_id: "#explorer",
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    deepLinking: true,
    filter: true,
    displayRequestDuration: true,
    persistAuthorization: false,
    queryConfigEnabled: false,
    validatorUrl: null,
    oauth2RedirectUrl: new URL(config.redirect, window.location.href).href
  });
  if (config.clientId) {
    ui.initOAuth({
      clientId: config.clientId,
      usePkceWithAuthorizationCodeGrant: true,
      scopes: config.scopes || ""
    });
  }
  window.explorer = ui;
})();
