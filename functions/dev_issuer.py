"""The development issuer's OpenID discovery document and JWKS (routed only without ENTRA_TENANT_ID)."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import azure.functions as func

from shared.auth import dev_issuer
from shared.routing.table import Route
from shared.settings import DEV_ISSUER_ROUTE, get_settings
from shared.web import Call


def _json(body: dict[str, Any], status: int = 200) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps(body), status_code=status, mimetype="application/json", headers={"Cache-Control": "no-store"}
    )


def _not_found() -> func.HttpResponse:
    return _json({"error": {"code": "itemNotFound", "message": "Unknown tenant."}}, status=404)


def _authority(req: func.HttpRequest) -> str | None:
    """`scheme://host:port/<prefix>/dev-issuer` as this request reached it (the JWKS is served beside it)."""
    parts = urlsplit(req.url)
    marker = f"/{DEV_ISSUER_ROUTE}/"
    index = parts.path.lower().find(marker)
    if not parts.scheme or not parts.netloc or index < 0:
        return None
    return f"{parts.scheme}://{parts.netloc}{parts.path[:index + len(marker) - 1]}"


def _serves(tenant: str | None) -> bool:
    """True when the development issuer is on and `tenant` is its tenant."""
    settings = get_settings()
    return settings.dev_issuer and (tenant or "").lower() == settings.tenant_id.lower()


def openid_configuration(call: Call, route: Route) -> func.HttpResponse:
    """GET the development issuer's OpenID configuration."""
    if not _serves(call.route("tenant")):
        return _not_found()
    return _json(dev_issuer.discovery_document(get_settings(), _authority(call.req)))


def signing_keys(call: Call, route: Route) -> func.HttpResponse:
    """GET the development issuer's JSON Web Key Set (public key only)."""
    if not _serves(call.route("tenant")):
        return _not_found()
    return _json(dev_issuer.jwks(get_settings()))
