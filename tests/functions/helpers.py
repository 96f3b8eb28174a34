"""Calling the app's functions (one per row of functions/routes.py's table) as the worker does.

Each helper takes the `invoke` fixture (tests/support/app.py), a bearer token and a collection name;
`user=None` calls the `me/...` function, anything else the `users/{user}/...` one with that route value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import azure.functions as func

from functions.routes import as_function, build_table
from tests.support.app import body_of

Invoke = Callable[..., func.HttpResponse]
JSON_HEADERS = {"Content-Type": "application/json"}
BASE = "http://127.0.0.1:7071"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")
OTHER_OID = "0c5d9b7e-1111-4222-8333-444455556666"
SEED = '{\n  "allowedAudiences": "organization",\n  "countryCode": "NO"\n}'
SEED_WITH_COMMA = '{\n  "allowedAudiences": "organization",\n  "countryCode": "NO",\n}'


Function = Callable[[func.HttpRequest], func.HttpResponse]
TABLE = build_table(dev_issuer=True)
#: Every function of the app by name, as `register` builds them (the edge around each row's handler).
FUNCTIONS: dict[str, Function] = {row.name: as_function(row, TABLE) for row in TABLE}


def function(collection: str, operation: str, user: str | None = None) -> Function:
    """The generated function `{collection}_{operation}_{me|user}`."""
    return FUNCTIONS[f"{collection}_{operation}_{'me' if user is None else 'user'}"]


def path(collection: str, user: str | None = None, facet_id: str | None = None) -> str:
    """The request path after `api/`."""
    base = "me/profile" if user is None else f"users/{user}/profile"
    return f"{base}/{collection}" + ("" if facet_id is None else f"/{facet_id}")


def _route(user: str | None, facet_id: str | None = None) -> dict[str, str]:
    params = {} if user is None else {"user": user}
    if facet_id is not None:
        params["id"] = facet_id
    return params


def _body(body: Any) -> str | bytes | None:
    return body if body is None or isinstance(body, str | bytes) else json.dumps(body)


def create(
    invoke: Invoke,
    token: str | None,
    collection: str,
    body: Any = "{}",
    *,
    user: str | None = None,
    headers: dict[str, str] | None = None,
    content_type: bool = True,
) -> func.HttpResponse:
    """POST a facet (`body`: JSON text, bytes, or a value to serialise)."""
    sent = {**(JSON_HEADERS if content_type else {}), **(headers or {})}
    return invoke(
        function(collection, "create", user),
        "POST",
        path(collection, user),
        token=token,
        body=_body(body),
        headers=sent,
        route_params=_route(user),
    )


def created(invoke: Invoke, token: str, collection: str, body: Any = "{}", **kwargs: Any) -> tuple[dict, str]:
    """POST a facet that must be created: its body and ETag."""
    response = create(invoke, token, collection, body, **kwargs)
    assert response.status_code == 201, response.get_body()
    return body_of(response), response.headers["ETag"]


def list_facets(
    invoke: Invoke, token: str, collection: str, *, user: str | None = None, params: dict[str, str] | None = None
) -> func.HttpResponse:
    return invoke(
        function(collection, "list", user),
        "GET",
        path(collection, user),
        token=token,
        params=params or {},
        route_params=_route(user),
    )


def listed(invoke: Invoke, token: str, collection: str, **kwargs: Any) -> list[dict]:
    """The `value` of a list that must succeed."""
    response = list_facets(invoke, token, collection, **kwargs)
    assert response.status_code == 200, response.get_body()
    return body_of(response)["value"]


def get_facet(
    invoke: Invoke,
    token: str,
    collection: str,
    facet_id: str,
    *,
    user: str | None = None,
    params: dict[str, str] | None = None,
) -> func.HttpResponse:
    return invoke(
        function(collection, "get", user),
        "GET",
        path(collection, user, facet_id),
        token=token,
        params=params or {},
        route_params=_route(user, facet_id),
    )


def patch_facet(
    invoke: Invoke,
    token: str,
    collection: str,
    facet_id: str,
    body: Any,
    *,
    user: str | None = None,
    headers: dict[str, str] | None = None,
) -> func.HttpResponse:
    return invoke(
        function(collection, "update", user),
        "PATCH",
        path(collection, user, facet_id),
        token=token,
        body=_body(body),
        headers={**JSON_HEADERS, **(headers or {})},
        route_params=_route(user, facet_id),
    )


def delete_facet(
    invoke: Invoke,
    token: str,
    collection: str,
    facet_id: str,
    *,
    user: str | None = None,
    headers: dict[str, str] | None = None,
) -> func.HttpResponse:
    return invoke(
        function(collection, "delete", user),
        "DELETE",
        path(collection, user, facet_id),
        token=token,
        headers=headers,
        route_params=_route(user, facet_id),
    )


# --- the profile ----------------------------------------------------------------------------------------

_PROFILE = {
    ("POST", True): FUNCTIONS["create_my_profile"],
    ("POST", False): FUNCTIONS["create_user_profile"],
    ("GET", True): FUNCTIONS["get_my_profile"],
    ("GET", False): FUNCTIONS["get_user_profile"],
    ("DELETE", True): FUNCTIONS["delete_my_profile"],
    ("DELETE", False): FUNCTIONS["delete_user_profile"],
}


def call_profile(
    invoke: Invoke, method: str, token: str | None, *, user: str | None = None, **kwargs: Any
) -> func.HttpResponse:
    """POST, GET or DELETE `me/profile` (or `users/{user}/profile`)."""
    where = "me/profile" if user is None else f"users/{user}/profile"
    return invoke(_PROFILE[(method, user is None)], method, where, token=token, route_params=_route(user), **kwargs)


def context(object_id: str, suffix: str) -> str:
    """The `@odata.context` of a resource of user `object_id` on the test host."""
    return f"{BASE}/api/$metadata#users('{object_id}')/{suffix}"
