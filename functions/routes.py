"""The route table: every HTTP function of the app, and the one place that registers them.

Each row (shared/routing/table.py) names the function, its method, its template under the route prefix,
its handler, the permission it needs and the OpenAPI operation that documents it. `register(app, table)`
turns every row into an anonymous HTTP function (authentication is the bearer token, contract §4) that
goes through the same edge (`shared.web.handle`); the catch-all, `$batch` and the OpenAPI document read
the same rows, and devhost routes what the worker indexes from them.

Names are the host's routing order (shared/routing/router.py): the host tries functions in
case-insensitive name order and the first whose template and method match wins. The generated facet
functions are `{collection}_{operation}_{me|user}`; the catch-all is `zz_fallback`, after every other
name. tests/functions/test_host_routing.py proves, over the app as the worker indexes it, that every
row is reached by its own sample requests.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import azure.functions as func

from shared.facets.catalog import FACET_TYPES
from shared.routing.table import Access, Resource, Route, RouteTable

Function = Callable[[func.HttpRequest], func.HttpResponse]
ME, USER = "me/profile", "users/{user}/profile"
#: The catch-all's name sorts after every other function's (the host tries functions in name order).
FALLBACK_NAME, FALLBACK_TEMPLATE = "zz_fallback", "{*path}"
BATCH_NAME, BATCH_TEMPLATE = "batch", "$batch"


class Handler:
    """A row's handler, named as `module:function` and imported on its first call.

    The worker imports function_app only to index its functions; the handlers' modules (services,
    repository ports, the HTTP edge) wait for the first request that needs them.
    """

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name
        self._function: Callable[..., func.HttpResponse] | None = None
        self._lock = threading.Lock()

    def __call__(self, call: Any, route: Route) -> func.HttpResponse:
        function = self._function
        if function is None:
            with self._lock:
                if self._function is None:
                    self._function = getattr(importlib.import_module(self.module), self.name)
                function = self._function
        return function(call, route)

    def __repr__(self) -> str:
        return f"Handler({self.module}:{self.name})"


def _handler(path: str) -> Handler:
    module, _, name = path.partition(":")
    return Handler(f"functions.{module}", name)


#: (operation, method, route suffix after the collection, permission, handler) of every facet collection.
_FACET_OPERATIONS = (
    ("create", "POST", "", Access.WRITE, _handler("facets:create")),
    ("list", "GET", "", Access.READ, _handler("facets:list_")),
    ("get", "GET", "/{id}", Access.READ, _handler("facets:get")),
    ("update", "PATCH", "/{id}", Access.WRITE, _handler("facets:update")),
    ("delete", "DELETE", "/{id}", Access.WRITE, _handler("facets:delete")),
)
#: Delta query (contract §12): `.../{collection}/delta` is named `{collection}_delta_{me|user}`, which sorts
#: before `{collection}_get_{me|user}` (`.../{collection}/{id}`), so the literal segment wins.
_DELTA = ("delta", "GET", "/delta", Access.READ, _handler("delta:user_round"))
#: The tenant-wide feeds: `users/profile/{collection}/delta` and `users/profile/delta` (every collection).
TENANT_DELTA = "users/profile"
#: (name's verb, method, permission, handler) of the profile, under `me/profile` and `users/{user}/profile`.
_PROFILE_OPERATIONS = (
    ("create", "POST", Access.WRITE, _handler("profile:create")),
    ("get", "GET", Access.READ, _handler("profile:get")),
    ("delete", "DELETE", Access.WRITE, _handler("profile:delete")),
)


def _profile_rows() -> Iterator[Route]:
    for verb, method, access, handler in _PROFILE_OPERATIONS:
        for base, who in ((ME, "my"), (USER, "user")):
            yield Route(f"{verb}_{who}_profile", method, base, handler, access, Resource.PROFILE, verb)


def _facet_rows() -> Iterator[Route]:
    for facet_type in FACET_TYPES:
        for operation, method, suffix, access, handler in (*_FACET_OPERATIONS, _DELTA):
            for base, who in ((ME, "me"), (USER, "user")):
                yield Route(
                    f"{facet_type.collection}_{operation}_{who}",
                    method,
                    f"{base}/{facet_type.collection}{suffix}",
                    handler,
                    access,
                    Resource.FACET,
                    operation,
                    facet_type,
                )


def _tenant_delta_rows() -> Iterator[Route]:
    tenant_round = _handler("delta:tenant_round")
    for facet_type in FACET_TYPES:
        yield Route(
            f"{facet_type.collection}_delta_users",
            "GET",
            f"{TENANT_DELTA}/{facet_type.collection}/delta",
            tenant_round,
            Access.READ,
            Resource.FACET,
            "delta_tenant",
            facet_type,
        )
    yield Route(
        "profile_delta_users",
        "GET",
        f"{TENANT_DELTA}/delta",
        tenant_round,
        Access.READ,
        Resource.FACET,
        "delta_tenant",
    )


def _dev_issuer_rows() -> Iterator[Route]:
    from shared.settings import DEV_ISSUER_ROUTE

    base = f"{DEV_ISSUER_ROUTE}/{{tenant}}"
    yield Route(
        "dev_issuer_keys", "GET", f"{base}/discovery/v2.0/keys", _handler("dev_issuer:signing_keys"), Access.ANONYMOUS
    )
    yield Route(
        "dev_issuer_openid_configuration",
        "GET",
        f"{base}/v2.0/.well-known/openid-configuration",
        _handler("dev_issuer:openid_configuration"),
        Access.ANONYMOUS,
    )
    # The API explorer's sign-in (authorization code with PKCE): the sign-in page, its choice, the token.
    yield Route(
        "dev_issuer_authorize",
        "GET",
        f"{base}/oauth2/v2.0/authorize",
        _handler("dev_issuer:authorize"),
        Access.ANONYMOUS,
    )
    yield Route(
        "dev_issuer_authorize_choice",
        "POST",
        f"{base}/oauth2/v2.0/authorize",
        _handler("dev_issuer:authorize_choice"),
        Access.ANONYMOUS,
    )
    yield Route("dev_issuer_token", "POST", f"{base}/oauth2/v2.0/token", _handler("dev_issuer:token"), Access.ANONYMOUS)


def build_table(*, dev_issuer: bool) -> RouteTable:
    """Every route of the app; the development issuer's only when it is on (never in Azure)."""
    rows = [
        *_profile_rows(),
        *_facet_rows(),
        *_tenant_delta_rows(),
        Route(
            "openapi_document",
            "GET",
            "openapi.json",
            _handler("openapi:document"),
            Access.ANONYMOUS,
            Resource.DOCUMENT,
            "get",
        ),
        # The API explorer (Swagger UI): its page, and its files by name from a fixed allow-list (else 404).
        Route("docs_page", "GET", "docs", _handler("explorer:page"), Access.ANONYMOUS),
        Route("docs_asset", "GET", "docs/{asset}", _handler("explorer:asset"), Access.ANONYMOUS),
        # A token, no permission of its own: each request of the batch is authorized as its direct call is.
        Route(BATCH_NAME, "POST", BATCH_TEMPLATE, _handler("batch:run"), Access.TOKEN, Resource.BATCH, "batch"),
    ]
    if dev_issuer:
        rows.extend(_dev_issuer_rows())
    rows.append(Route(FALLBACK_NAME, None, FALLBACK_TEMPLATE, _handler("fallback:answer"), Access.ANONYMOUS))
    return RouteTable(rows)


def as_function(route: Route, table: RouteTable) -> Function:
    """The Python function the worker invokes for `route`: the edge around the row's handler."""

    def function(req: func.HttpRequest) -> func.HttpResponse:
        from shared.web import handle  # the HTTP edge, on the first request (see Handler)

        return handle(req, lambda call: route.handler(call, route), table)

    function.__name__ = function.__qualname__ = route.name
    return function


def register(app: func.FunctionApp, table: RouteTable) -> None:
    """Register every row of `table` on `app` as an anonymous HTTP function named as the row is."""
    for route in table:
        http = app.route(
            route=route.template, methods=[route.method] if route.method else None, auth_level=func.AuthLevel.ANONYMOUS
        )
        app.function_name(route.name)(http(as_function(route, table)))
