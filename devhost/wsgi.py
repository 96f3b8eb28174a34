"""The WSGI application: route a request to an HTTP-triggered function and convert both ways."""
from __future__ import annotations

import asyncio
import http
import inspect
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from devhost.convert import (
    MAX_BODY_BYTES,
    BadContentLength,
    BodyTooLarge,
    from_response,
    raw_path,
    read_body,
    to_request,
)
from devhost.routes import NotAllowed, Resolved, RouteTable, make_route

log = logging.getLogger("devhost")
Response = tuple[int, list[tuple[str, str]], bytes]
StartResponse = Callable[..., Any]


@dataclass
class DevContext:
    """A minimal stand-in for `func.Context`, passed to functions that declare a `context` parameter."""

    function_name: str
    function_directory: str = ""
    invocation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    trace_context: Any = None
    retry_context: Any = None
    thread_local_storage: Any = None


def error(status: int, code: str, message: str, extra: Iterable[tuple[str, str]] = ()) -> Response:
    """A Graph-style JSON error response produced by the host itself."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *extra]
    return status, headers, body


def build_table(functions: Iterable[Any], route_prefix: str) -> RouteTable:
    """A route table from every HTTP-triggered function (other triggers are ignored)."""
    routes = []
    for fn in functions:
        if not fn.is_http_function():
            continue
        trigger = fn.get_trigger()
        name = fn.get_function_name()
        routes.append(make_route(name, trigger.route or name, route_prefix, trigger.methods,
                                 fn.get_user_function(), trigger.name))
    return RouteTable(routes)


class WsgiApp:
    """Serves a function app's HTTP functions as a WSGI application."""

    def __init__(self, table: RouteTable, body_cap: int = MAX_BODY_BYTES) -> None:
        self.table = table
        self.body_cap = body_cap

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        """Handle one request; never lets an exception reach the server."""
        started = time.perf_counter()
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = raw_path(environ)
        try:
            status, headers, body = self.handle(environ, method, path)
        except Exception:
            log.exception("Unhandled exception in %s %s", method, path)
            status, headers, body = error(500, "generalException", "An unexpected error occurred.")
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        start_response(f"{status} {reason}", headers)
        log.info("%s %s %d %.1fms", method, path, status, (time.perf_counter() - started) * 1000)
        return [b"" if method == "HEAD" else body]

    def handle(self, environ: dict[str, Any], method: str, path: str) -> Response:
        """Resolve, read the body, invoke, convert."""
        try:
            body = read_body(environ, self.body_cap)
        except BodyTooLarge:
            return error(413, "requestTooLarge", f"The request body exceeds {self.body_cap} bytes.")
        except BadContentLength:
            return error(400, "invalidRequest", "The Content-Length header is not valid.")
        found = self.table.resolve(method, path)
        if found is None:
            return error(404, "itemNotFound", "No function matches the requested path.")
        if isinstance(found, NotAllowed):
            return error(405, "methodNotAllowed", f"The method {method} is not allowed on this resource.",
                         [("Allow", ", ".join(found.allowed))])
        request = to_request(environ, found.method, found.values, body)
        return from_response(invoke(found, request))


def invoke(found: Resolved, request: Any) -> Any:
    """Call the user function like the worker: trigger argument by name, `context` if declared, await coroutines."""
    function = found.route.function
    kwargs: dict[str, Any] = {found.route.arg_name: request}
    if "context" in inspect.signature(function).parameters:
        kwargs["context"] = DevContext(found.route.name)
    result = function(**kwargs)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    return result


def make_wsgi_app(app: Any, route_prefix: str = "api", body_cap: int = MAX_BODY_BYTES) -> WsgiApp:
    """A WSGI app for a `func.FunctionApp` (calls `get_functions()` once) or a list of its functions."""
    functions = app.get_functions() if hasattr(app, "get_functions") else list(app)
    return WsgiApp(build_table(functions, route_prefix), body_cap)
