"""How a browser signs in to this API: OAuth 2.0 authorization code with PKCE (contract §4, the explorer).

The API explorer (`GET docs`) signs its user in with the token issuer the app trusts, and the OpenAPI
document names the same endpoints in its `oauth2` security scheme:
- a tenant (`ENTRA_TENANT_ID` set): Entra ID's v2.0 authorize and token endpoints under
  `ENTRA_AUTHORITY`, with the API's own app registration as the client (the audience that is a GUID:
  its application id) and the API's scopes under its Application ID URI (the audience that starts with
  `api://`, else the application id), e.g. `api://<tenant>/profile-api-x/User.ReadWrite`;
- the development issuer: its own authorize and token endpoints, as paths on the app's own origin (the
  page and the issuer are served by the same host, on whatever address and port it was reached), its
  development client id, and the permission names as they are (it issues them to itself).
Nothing here reads a file or imports a library: it is derived from the settings alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.ids import is_guid
from shared.settings import DEV_ISSUER_ROUTE, Settings

#: Where the explorer's OAuth redirect page is, under the route prefix (the SPA redirect URI in Entra ID).
REDIRECT_PATH = "docs/oauth2-redirect.html"


@dataclass(frozen=True)
class SignIn:
    """The authorization-code flow's endpoints, client and scope names."""

    authorization_url: str
    token_url: str
    client_id: str
    #: Put before a permission name to make the scope a client requests (`api://.../`; empty in development).
    scope_prefix: str
    #: The token endpoint's origin when it is not the app's own (the page's CSP `connect-src` names it).
    token_origin: str | None
    development: bool

    def scope(self, permission: str) -> str:
        """The scope value a client requests for one of the API's permissions."""
        return self.scope_prefix + permission


def sign_in(settings: Settings, prefix: str) -> SignIn | None:
    """The sign-in of these settings; None when a tenant's audiences name no application id (no client)."""
    if settings.dev_issuer:
        from shared.auth.dev_issuer import DEV_CLIENT_ID

        root = f"/{prefix}" if prefix else ""
        base = f"{root}/{DEV_ISSUER_ROUTE}/{settings.tenant_id}/oauth2/v2.0"
        return SignIn(f"{base}/authorize", f"{base}/token", DEV_CLIENT_ID, "", None, development=True)
    client_id = next((a for a in settings.audiences if is_guid(a)), None)
    if client_id is None:
        return None
    uri = next((a for a in settings.audiences if a.lower().startswith("api://")), client_id)
    base = f"{settings.authority}/{settings.tenant_id}/oauth2/v2.0"
    parts = urlsplit(settings.authority)
    return SignIn(
        f"{base}/authorize",
        f"{base}/token",
        client_id.lower(),
        uri.rstrip("/") + "/",
        f"{parts.scheme}://{parts.netloc}",
        development=False,
    )
