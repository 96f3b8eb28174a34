"""The API explorer at `GET docs` (anonymous, like openapi.json): Swagger UI over the OpenAPI document.

`docs` is the page; `docs/{asset}` serves the files of a fixed allow-list (shared/explorer/assets.py),
anything else under it is 404 in Graph's envelope. Files are read on their first request and kept for the
process, so importing this module reads nothing. Every response carries a Content-Security-Policy with
nothing inline to allow (shared/explorer/page.py) and an ETag; `If-None-Match` with it is a 304.
"""

from __future__ import annotations

import functools

import azure.functions as func

from shared.errors import NotFound
from shared.routing.table import Route
from shared.settings import Settings
from shared.web import Call


def _response(call: Call, body: bytes, content_type: str, etag: str, policy: str) -> func.HttpResponse:
    from shared.explorer.page import COMMON_HEADERS

    headers = {
        **COMMON_HEADERS,
        "Content-Security-Policy": policy,
        "ETag": etag,
        "Cache-Control": "no-cache",
        **call.ids.headers(),
    }
    if etag in {tag.strip() for tag in (call.req.headers.get("if-none-match") or "").split(",")}:
        return func.HttpResponse(status_code=304, headers=headers, mimetype="")
    return func.HttpResponse(body, status_code=200, headers={**headers, "Content-Type": content_type})


@functools.cache
def _page(root: str, settings: Settings) -> tuple[bytes, str, str]:
    """The page, its ETag and its policy (built once per process: the settings do not change)."""
    import hashlib

    from shared.auth.sign_in import sign_in
    from shared.explorer.page import page, page_policy

    found = sign_in(settings, root.strip("/"))
    body = page(root, found)
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', page_policy(found)


def page(call: Call, route: Route) -> func.HttpResponse:
    """GET the explorer's page."""
    from shared.explorer.assets import HTML
    from shared.routing.prefix import route_prefix

    prefix = route_prefix()
    body, etag, policy = _page(f"/{prefix}" if prefix else "", call.settings)
    return _response(call, body, HTML, etag, policy)


def asset(call: Call, route: Route) -> func.HttpResponse:
    """GET one of the explorer's files (Swagger UI's, and its own initialiser and styles)."""
    from shared.explorer.assets import ASSETS, load
    from shared.explorer.page import ASSET_POLICY, REDIRECT_POLICY

    found = ASSETS.get(call.route("asset"))
    if found is None:
        raise NotFound("No resource matches the requested path.")
    loaded, policy = load(found.name), REDIRECT_POLICY if found.html else ASSET_POLICY
    return _response(call, loaded.body, found.content_type, loaded.etag, policy)
