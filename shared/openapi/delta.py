"""The delta operations of the document (contract §12): per user under `me` / `users/{user}`, and the
tenant-wide feeds under `users/profile/...` (rows of action `delta` and `delta_tenant`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.openapi import parameters as p
from shared.openapi import responses as r
from shared.openapi.schemas import ref

if TYPE_CHECKING:
    from shared.auth.sign_in import SignIn
    from shared.routing.table import Route

Operation = dict[str, Any]

#: Component parameter names (`$skiptoken` is not one: it is part of `@odata.nextLink`, followed as it is).
DELTATOKEN = "deltatoken"
FEED_SELECT = "feedSelect"
_TOKEN = {"type": "string", "maxLength": 16384, "pattern": "^[A-Za-z0-9_-]+$"}
_DELTATOKEN = {
    "name": "$deltatoken",
    "in": "query",
    "required": False,
    "schema": {"anyOf": [{"const": "latest"}, _TOKEN]},
    "description": (
        "Where the next round starts: copy `@odata.deltaLink` as it is. `latest`: no items, and a deltaLink "
        "from now. A token older than 7 days is 400 `syncStateNotFound`: start again without a token."
    ),
}
_REMOVED = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "@removed"],
    "properties": {
        "@odata.id": {"type": "string"},
        "@odata.type": {"type": "string"},
        "id": {"type": "string"},
        "@removed": {
            "type": "object",
            "properties": {"reason": {"enum": ["deleted", "changed"]}},
            "description": "`deleted`: the facet was deleted; `changed`: the caller may no longer see it.",
        },
    },
}


def delta_operation(route: Route) -> Operation:
    """The operation of one delta row."""
    from shared.openapi.operations import PROFILE_TAG, permissions, security

    facet_type = route.facet_type
    tenant_wide = route.action == "delta_tenant"
    tag = facet_type.collection if facet_type is not None else PROFILE_TAG
    item = (
        ref(facet_type.type_name)
        if facet_type is not None and not tenant_wide
        else {
            "type": "object",
            "required": ["@odata.id", "id"],
            "properties": {
                "@odata.id": {"type": "string"},
                "@odata.type": {"type": "string"},
                "id": {"type": "string"},
            },
            "description": (
                f"A `{facet_type.type_name}` (its schema) " if facet_type is not None else "A facet of any collection "
            )
            + "with `@odata.id` = `users('{oid}')/profile/{collection}('{id}')`.",
        }
    )
    if tenant_wide:
        what = f"every user's {tag}" if facet_type is not None else "every user's facets of every collection"
        summary = f"Track changes to {what} (delta query)"
        permission = _tenant_permissions()
        requirement = [
            {"entraBearer": [name]}
            for name in dict.fromkeys(permission["delegatedOtherUsers"] + permission["application"])
        ]
    else:
        whose = "the signed-in user's" if route.me else "a user's"
        summary = f"Track changes to {whose} {tag} (delta query)"
        permission, requirement = permissions(route), security(route)
    select = p.ref(p.select_name(facet_type) if facet_type is not None else FEED_SELECT)
    page = {
        "type": "object",
        "required": ["value"],
        "properties": {
            "@odata.context": {"type": "string"},
            "value": {"type": "array", "items": {"anyOf": [item, _REMOVED]}},
            "@odata.nextLink": {"type": "string", "description": "More pages of this round follow."},
            "@odata.deltaLink": {"type": "string", "description": "The round is complete: call it for the next."},
        },
    }
    operation: Operation = {
        "tags": [tag],
        "summary": summary,
        "description": (
            "Graph's delta protocol: follow `@odata.nextLink` until a page carries `@odata.deltaLink`; calling that "
            "returns only what changed since (changed facets in full, deleted or no longer visible ones as "
            "`@removed`). `$filter`, `$orderby`, `$expand`, `$skip`, `$count` and `$top` are 400."
            + (" Each item names its user and collection in `@odata.id`." if tenant_wide else "")
        ),
        "operationId": route.name,
        "security": requirement,
        "x-permissions": permission,
        "parameters": [p.ref(p.CLIENT_REQUEST_ID), p.ref(p.PREFER), select, p.ref(DELTATOKEN)],
        "responses": {
            "200": {
                "description": "A page of the round (at most `Prefer: odata.maxpagesize` items, default 100).",
                "headers": r.success("", None, paged=True)["headers"],
                "content": {"application/json": {"schema": page}},
            }
        },
    }
    statuses = {r.BAD_REQUEST, r.UNAUTHORIZED, r.FORBIDDEN, r.TOO_MANY_REQUESTS, r.SERVICE_UNAVAILABLE}
    if not route.me and not tenant_wide:
        statuses.add(r.NOT_FOUND)
    for status in sorted(statuses):
        operation["responses"][status] = r.ref(status)
    return operation


def delta_parameters() -> dict[str, Any]:
    """The component parameters of the delta operations."""
    return {
        DELTATOKEN: _DELTATOKEN,
        FEED_SELECT: {
            "name": "$select",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": (
                "Properties every collection has (itemFacet's), comma-separated; the first call's is carried "
                "by the tokens."
            ),
        },
    }


def _tenant_permissions() -> dict[str, list[str]]:
    from shared.auth.permissions import sufficient

    return {
        "delegatedOtherUsers": list(sufficient(write=False, own=False, app=False)),
        "application": list(sufficient(write=False, own=False, app=True)),
    }


def tenant_sign_in_security(sign_in: SignIn) -> list[dict[str, list[str]]]:
    """A signed-in browser's requirements for a tenant-wide feed: the delegated `.All` read scopes."""
    from shared.openapi.operations import SIGN_IN_SCHEME

    return [{SIGN_IN_SCHEME: [sign_in.scope(name)]} for name in _tenant_permissions()["delegatedOtherUsers"]]
