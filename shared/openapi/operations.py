"""The document's paths: one operation per row of the route table that documents one, named as its function.

The rows (functions/routes.py) say which resource and action each route is (a facet collection's
create, list, get, update or delete; the profile's create, get or delete; this document); rows of no
resource (the development issuer, the catch-all) are not in the document.

Security states, per operation, the permissions any one of which suffices (from shared/auth/permissions.py).
Error responses are references to the shared responses (shared/openapi/responses.py); an operation lists
the statuses it can answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shared.facets.model import FacetType
from shared.openapi import parameters as p
from shared.openapi import responses as r
from shared.openapi.schemas import PROFILE, WRITE, collection_name, ref, write_name
from shared.routing.table import Resource, Route

if TYPE_CHECKING:
    from shared.auth.sign_in import SignIn

Operation = dict[str, Any]
SECURITY_SCHEME = "entraBearer"
#: The `oauth2` scheme of the explorer's Authorize button (shared/auth/sign_in.py).
SIGN_IN_SCHEME = "entraOAuth"
PROFILE_TAG = "profile"
DOCUMENT_TAG = "document"
#: The statuses every product operation can answer (authentication, permissions, store, throttling).
_EVERY = (r.BAD_REQUEST, r.UNAUTHORIZED, r.FORBIDDEN, r.TOO_MANY_REQUESTS, r.SERVICE_UNAVAILABLE)


def security(route: Route) -> list[dict[str, list[str]]]:
    """Each permission that suffices, as its own requirement: delegated scopes for the caller's own data;
    for `users/{user}` also those for another user's data and the application roles."""
    from shared.auth.permissions import sufficient

    names = list(sufficient(write=route.write, own=True, app=False))
    if not route.me:
        names += sufficient(write=route.write, own=False, app=False) + sufficient(write=route.write, own=True, app=True)
    return [{SECURITY_SCHEME: [name]} for name in dict.fromkeys(names)]


def sign_in_security(route: Route, sign_in: SignIn) -> list[dict[str, list[str]]]:
    """The same requirements for a signed-in browser: each delegated permission that suffices, as its scope
    (app roles cannot be had by signing in)."""
    from shared.auth.permissions import sufficient

    names = list(sufficient(write=route.write, own=True, app=False))
    if not route.me:
        names += sufficient(write=route.write, own=False, app=False)
    return [{SIGN_IN_SCHEME: [sign_in.scope(name)]} for name in dict.fromkeys(names)]


def permissions(route: Route) -> dict[str, list[str]]:
    """`x-permissions`: the same permissions by kind of caller and data (contract §4's table)."""
    from shared.auth.permissions import sufficient

    table = {"delegatedOwnData": list(sufficient(write=route.write, own=True, app=False))}
    if not route.me:
        table["delegatedOtherUsers"] = list(sufficient(write=route.write, own=False, app=False))
        table["application"] = list(sufficient(write=route.write, own=False, app=True))
    return table


def _operation(route: Route, tag: str, summary: str, statuses: Iterable[str], **extra: Any) -> Operation:
    operation: Operation = {
        "tags": [tag],
        "summary": summary,
        "operationId": route.name,
        "security": security(route),
        "x-permissions": permissions(route),
    }
    operation.update(extra)
    responses = operation.setdefault("responses", {})
    for status in sorted({*statuses, *_EVERY, *([r.NOT_FOUND] if not route.me else [])}):
        responses[status] = r.ref(status)
    return operation


def _whose(route: Route) -> str:
    return "the signed-in user's" if route.me else "a user's"


def _body(schema: str, *, required: bool, description: str) -> dict[str, Any]:
    return {"required": required, "description": description, "content": {"application/json": {"schema": ref(schema)}}}


def facet_operation(facet_type: FacetType, route: Route) -> Operation:
    """One facet operation: parameters, body, success response and the error statuses it can answer."""
    kind = route.action
    tag, qualified, read = facet_type.collection, facet_type.qualified, facet_type.type_name
    whose = _whose(route)
    if kind == "create":
        return _operation(
            route,
            tag,
            f"Create a {qualified} in {whose} {tag}",
            (r.CONFLICT, r.PAYLOAD_TOO_LARGE, r.UNPROCESSABLE, r.INSUFFICIENT_STORAGE),
            parameters=[p.ref(p.CLIENT_REQUEST_ID), p.ref(p.IDEMPOTENCY_KEY)],
            requestBody=_body(write_name(facet_type), required=True, description="The new facet's properties."),
            responses={"201": r.success("Created.", read, location=True, etag=True)},
        )
    if kind == "list":
        query = [
            p.TOP,
            p.SKIP,
            p.filter_name(facet_type),
            p.orderby_name(facet_type),
            p.select_name(facet_type),
            p.COUNT,
        ]
        return _operation(
            route,
            tag,
            f"List {whose} {tag}",
            (),
            parameters=[p.ref(p.CLIENT_REQUEST_ID), p.ref(p.PREFER), *(p.ref(name) for name in query)],
            responses={
                "200": r.success(
                    "A page of the collection: at most `$top` items, `Prefer: odata.maxpagesize` items and "
                    "MAX_RESPONSE_BYTES bytes (default 4 MiB; at least one item).",
                    collection_name(facet_type),
                    paged=True,
                )
            },
        )
    if kind == "get":
        return _operation(
            route,
            tag,
            f"Get one of {whose} {tag}",
            (r.NOT_FOUND,),
            parameters=[p.ref(p.CLIENT_REQUEST_ID), p.ref(p.select_name(facet_type))],
            responses={"200": r.success("The facet.", read, etag=True)},
        )
    if kind == "update":
        return _operation(
            route,
            tag,
            f"Update one of {whose} {tag}",
            (r.NOT_FOUND, r.CONFLICT, r.PRECONDITION_FAILED, r.PAYLOAD_TOO_LARGE, r.INSUFFICIENT_STORAGE),
            parameters=[p.ref(p.CLIENT_REQUEST_ID), p.ref(p.IF_MATCH)],
            requestBody=_body(
                write_name(facet_type),
                required=True,
                description=(
                    "The properties to change. A read-only property may be sent with its current value "
                    "(so the object just read can be sent back); another value is 400."
                ),
            ),
            responses={"200": r.success("The whole updated facet.", read, etag=True)},
        )
    return _operation(
        route,
        tag,
        f"Delete one of {whose} {tag}",
        (r.NOT_FOUND, r.CONFLICT, r.PRECONDITION_FAILED),
        parameters=[p.ref(p.CLIENT_REQUEST_ID), p.ref(p.IF_MATCH)],
        responses={"204": r.no_content()},
    )


def profile_operation(route: Route) -> Operation:
    whose = _whose(route)
    if route.action == "create":
        return _operation(
            route,
            PROFILE_TAG,
            f"Create {whose} profile",
            (r.CONFLICT, r.PAYLOAD_TOO_LARGE),
            parameters=[p.ref(p.CLIENT_REQUEST_ID)],
            requestBody=_body(
                PROFILE + WRITE,
                required=False,
                description="Empty, `{}`, or the profile's `@odata.type` (with `Content-Type: application/json`).",
            ),
            responses={"201": r.success("Created (409 if it already was).", PROFILE, location=True)},
        )
    if route.action == "get":
        return _operation(
            route,
            PROFILE_TAG,
            f"Get {whose} profile (it always exists)",
            (),
            parameters=[p.ref(p.CLIENT_REQUEST_ID), p.ref(p.PREFER), p.ref(p.PROFILE_SELECT), p.ref(p.PROFILE_EXPAND)],
            responses={
                "200": r.success(
                    "The profile, with the first page of each expanded collection (the response within "
                    "MAX_RESPONSE_BYTES, default 4 MiB) and `{collection}@odata.nextLink` to the rest.",
                    PROFILE,
                    paged=True,
                )
            },
        )
    return _operation(
        route,
        PROFILE_TAG,
        f"Delete {whose} profile and every facet of every collection",
        (r.CONFLICT,),
        parameters=[p.ref(p.CLIENT_REQUEST_ID)],
        responses={"204": r.no_content()},
    )


def document_operation(route: Route) -> Operation:
    return {
        "tags": [DOCUMENT_TAG],
        "summary": "This OpenAPI document (no token needed)",
        "operationId": route.name,
        "security": [],
        "responses": {"200": r.success("The document.", None)},
    }


def paths(routes: Iterable[Route], sign_in: SignIn | None = None) -> dict[str, dict[str, Any]]:
    """Every documented route's operation, by path; `{user}` and `{id}` are declared once per path.

    With `sign_in`, an operation that needs a token also accepts one from the sign-in's `oauth2` scheme."""
    out: dict[str, dict[str, Any]] = {}
    for route in routes:
        if route.method is None or route.resource is Resource.NONE:
            continue
        if route.resource is Resource.FACET and route.action.startswith("delta"):
            from shared.openapi.delta import delta_operation

            operation = delta_operation(route)
        elif route.resource is Resource.FACET and route.facet_type is not None:
            operation = facet_operation(route.facet_type, route)
        elif route.resource is Resource.PROFILE:
            operation = profile_operation(route)
        elif route.resource is Resource.BATCH:
            from shared.openapi.batch import batch_operation

            operation = batch_operation(route)
        else:
            operation = document_operation(route)
        if sign_in is not None and operation["security"] and route.action == "delta_tenant":
            from shared.openapi.delta import tenant_sign_in_security

            operation["security"] += tenant_sign_in_security(sign_in)
        elif sign_in is not None and operation["security"]:
            operation["security"] += sign_in_security(route, sign_in)
        _item(out, route.path)[route.method.lower()] = operation
    return out


def _item(out: dict[str, dict[str, Any]], path: str) -> dict[str, Any]:
    item = out.get(path)
    if item is None:
        placeholders = [name for name in (p.USER, p.ID) if f"{{{name}}}" in path]
        item = out[path] = {"parameters": [p.ref(name) for name in placeholders]} if placeholders else {}
    return item
