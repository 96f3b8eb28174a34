"""The development issuer's OpenID discovery document, JWKS, and sign-in for the API explorer (authorize and
token endpoints); routed only without ENTRA_TENANT_ID, never in Azure."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import azure.functions as func

from shared.auth import dev_issuer
from shared.routing.table import Route
from shared.settings import DEV_ISSUER_ROUTE, get_settings
from shared.web import Call

if TYPE_CHECKING:  # the sign-in's module is imported by its handlers, on their first request
    from shared.auth import dev_sign_in


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
    return f"{parts.scheme}://{parts.netloc}{parts.path[: index + len(marker) - 1]}"


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


# --- sign-in: authorization code with PKCE, for the API explorer (shared/auth/dev_sign_in.py) ----------------


_codes: dev_sign_in.CodeStore | None = None


def _code_store() -> dev_sign_in.CodeStore:
    global _codes  # noqa: PLW0603  (one store per process, created on first use)
    if _codes is None:
        from shared.auth.dev_sign_in import CodeStore

        _codes = CodeStore()
    return _codes


def _page(call: Call, body: bytes, status: int = 200) -> func.HttpResponse:
    from shared.explorer.page import COMMON_HEADERS, SIGN_IN_POLICY

    headers = {
        **COMMON_HEADERS,
        "Content-Security-Policy": SIGN_IN_POLICY,
        "Cache-Control": "no-store",
        **call.ids.headers(),
    }
    return func.HttpResponse(body, status_code=status, headers={**headers, "Content-Type": "text/html; charset=utf-8"})


def _redirect(call: Call, location: str) -> func.HttpResponse:
    headers = {
        "Location": location,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        **call.ids.headers(),
    }
    return func.HttpResponse(status_code=302, headers=headers, mimetype="")


def _docs(call: Call) -> str:
    """The API explorer's path on this host (its icon and stylesheet dress the sign-in pages)."""
    return f"{urlsplit(call.api_root).path}/docs"


def _authorization_request(call: Call) -> dev_sign_in.AuthorizationRequest:
    from shared.auth import dev_sign_in
    from shared.auth.sign_in import REDIRECT_PATH

    return dev_sign_in.parse_authorization_request(call.req.params, f"{call.api_root}/{REDIRECT_PATH}")


def authorize(call: Call, route: Route) -> func.HttpResponse:
    """GET the sign-in page of an authorization request (development users and an app-only choice)."""
    from shared.auth import dev_sign_in

    if not _serves(call.route("tenant")):
        return _not_found()
    try:
        request = _authorization_request(call)
    except dev_sign_in.PageError as error:
        return _page(call, dev_sign_in.error_page(str(error), _docs(call)), 400)
    except dev_sign_in.RedirectError as error:
        return _redirect(call, error.location())
    action = f"{urlsplit(call.req.url).path}?{request.query()}"
    return _page(call, dev_sign_in.sign_in_page(request, action, _docs(call)))


def authorize_choice(call: Call, route: Route) -> func.HttpResponse:
    """POST the sign-in page's choice: redirect to the explorer with a code for it."""
    from shared.auth import dev_sign_in

    if not _serves(call.route("tenant")):
        return _not_found()
    try:
        request = _authorization_request(call)
        form = dev_sign_in.parse_form(call.req.get_body(), call.req.headers.get("content-type"))
        grant = request.grant_for(form.get("user") or "")
    except (dev_sign_in.PageError, dev_sign_in.TokenError) as error:
        return _page(call, dev_sign_in.error_page(str(error), _docs(call)), 400)
    except dev_sign_in.RedirectError as error:
        return _redirect(call, error.location())
    return _redirect(call, request.redirect(code=_code_store().issue(grant)))


def token(call: Call, route: Route) -> func.HttpResponse:
    """POST a code and its PKCE verifier: an access token (errors as RFC 6749 §5.2, like Entra ID's)."""
    from shared.auth import dev_sign_in

    if not _serves(call.route("tenant")):
        return _not_found()
    settings = get_settings()

    def mint(grant: dev_sign_in.Grant) -> str:
        return dev_issuer.mint_token(
            settings,
            user=grant.user,
            scopes=list(grant.scopes),
            roles=list(grant.roles),
            name=None,
            lifetime_s=dev_sign_in.TOKEN_LIFETIME_S,
        )

    try:
        form = dev_sign_in.parse_form(call.req.get_body(), call.req.headers.get("content-type"))
        body = dev_sign_in.redeem(form, _code_store(), mint)
    except dev_sign_in.TokenError as error:
        return _json(error.body(), status=400)
    return _json(body)
