"""The catch-all: Graph's envelope for any other path or method under the route prefix (contract §1).

Without it the Functions host answers an unknown route or method with an empty 404 of its own. One
anonymous HTTP function on `{*path}` (every method) takes whatever no other function took: the host
tries routes by precedence (literal segments, then parameters, then catch-alls), and a method is part
of the match, so this function also receives `PUT me/profile` when `me/profile` has no PUT function.
It answers 405 `methodNotAllowed` with `Allow` when the path matches a registered route template
under another method, else 404 `itemNotFound`.

The routes are not listed here: `register(app)` must be called last, and the first request reads the
app's other HTTP functions (once) and compiles their templates with `shared.routing`, so routes added
later (generated facet collections) are covered without a change here. The route prefix comes from
host.json (`extensions.http.routePrefix`, default `api`).
"""
from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import azure.functions as func

from shared.errors import MethodNotAllowed, NotFound
from shared.web.responses import RequestIds, error_response

if TYPE_CHECKING:
    from shared.routing.templates import Template

FUNCTION_NAME = "fallback"
ROUTE = "{*path}"


def route_prefix(host_json: Path | None = None) -> str:
    """`extensions.http.routePrefix` from host.json (beside function_app.py), else `api` (the host's default)."""
    path = host_json or Path(__file__).resolve().parent.parent / "host.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "api"
    prefix = ((data.get("extensions") or {}).get("http") or {}).get("routePrefix")
    return prefix.strip("/") if isinstance(prefix, str) else "api"


class RegisteredRoutes:
    """The app's other HTTP routes as (compiled template, methods), read from the app on first use, once."""

    def __init__(self, app: func.FunctionApp, prefix: str | None = None) -> None:
        self._app = app
        self._prefix = prefix
        self._routes: list[tuple[Template, frozenset[str]]] | None = None
        self._lock = threading.Lock()

    def allowed(self, raw_path: str) -> tuple[str, ...]:
        """The methods of every registered route whose template matches `raw_path` (empty: none matches)."""
        from shared.routing.templates import RequestPath

        path = RequestPath.parse(raw_path)
        methods = {m for template, accepted in self._compiled() if template.match(path) is not None for m in accepted}
        return tuple(sorted(methods))

    def _compiled(self) -> list[tuple[Template, frozenset[str]]]:
        if self._routes is None:
            with self._lock:
                if self._routes is None:
                    self._routes = self._compile()
        return self._routes

    def _compile(self) -> list[tuple[Template, frozenset[str]]]:
        """Every HTTP function but this one, with the prefix joined to its route."""
        from shared.routing.templates import Template

        prefix = route_prefix() if self._prefix is None else self._prefix
        routes = []
        # The app's builders, rebuilt: `build()` is idempotent, whereas `get_functions()` may run only once
        # per app (the worker's indexing already did).
        for builder in self._app._function_builders:
            function = builder.build(self._app.auth_level)
            name = str(function.get_function_name())
            if not function.is_http_function() or name == FUNCTION_NAME:
                continue
            trigger = function.get_trigger()
            route = str(getattr(trigger, "route", None) or name).strip("/")
            methods = frozenset(str(getattr(m, "value", m)).upper() for m in getattr(trigger, "methods", None) or ())
            template = "/".join(part for part in (prefix, route) if part)
            routes.append((Template.parse(template), methods))
        return routes


def answer(req: func.HttpRequest, routes: RegisteredRoutes) -> func.HttpResponse:
    """405 with `Allow` when the path is a registered route under other methods, else 404."""
    ids = RequestIds.for_request(req.headers)
    allowed = routes.allowed(urlsplit(req.url).path)
    if allowed:
        message = f"The method is not allowed on this resource; allowed: {', '.join(allowed)}."
        return error_response(ids, MethodNotAllowed(message, allowed=allowed))
    return error_response(ids, NotFound("No resource matches the requested path."))


def register(app: func.FunctionApp) -> None:
    """Register the catch-all on `app`; call it after every blueprint."""
    routes = RegisteredRoutes(app)

    def fallback(req: func.HttpRequest) -> func.HttpResponse:
        return answer(req, routes)

    app.function_name(FUNCTION_NAME)(app.route(route=ROUTE, auth_level=func.AuthLevel.ANONYMOUS)(fallback))
