"""The WSGI application: route a request to an HTTP-triggered function and convert both ways."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devhost.convert import (
    MAX_BODY_BYTES,
    BadContentLength,
    BodyTooLarge,
    Response,
    from_response,
    function_body,
    raw_path,
    read_body,
    to_request,
)
from devhost.errors import UNEXPECTED, envelope, status_line, too_large
from devhost.routes import Resolved, Target, build_router
from shared.errors import ApiError, BadRequest, NotFound
from shared.routing.prefix import DEFAULT_ROUTE_PREFIX
from shared.routing.router import Router

log = logging.getLogger("devhost")
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


class WsgiApp:
    """Serves a function app's HTTP functions as a WSGI application."""

    def __init__(self, router: Router[Target], body_cap: int = MAX_BODY_BYTES) -> None:
        self.router = router
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
            status, headers, body = host_error(ApiError(UNEXPECTED), environ)
        start_response(status_line(status), headers)
        log.info("%s %s %d %.1fms", method, path, status, (time.perf_counter() - started) * 1000)
        return [b"" if method == "HEAD" else body]

    def handle(self, environ: dict[str, Any], method: str, path: str) -> Response:
        """Read the body (within the cap), resolve, invoke, convert."""
        try:
            body = read_body(environ, self.body_cap)
        except BodyTooLarge:
            return host_error(too_large(self.body_cap), environ)
        except BadContentLength:
            return host_error(BadRequest("The Content-Length header is not valid."), environ)
        found = self.router.resolve(method, path)
        if found is None:  # the host's own 404 (the app's catch-all takes every path under the prefix)
            return host_error(NotFound("No resource matches the requested path."), environ)
        request = to_request(environ, method, found.values, function_body(environ, body))
        return from_response(invoke(found, request))


def host_error(error: ApiError, environ: dict[str, Any]) -> Response:
    """Graph's envelope for an error the host answers itself (the request's client-request-id echoed)."""
    return envelope(error, environ.get("HTTP_CLIENT_REQUEST_ID"))


def invoke(found: Resolved, request: Any) -> Any:
    """Call the user function like the worker: trigger argument by name, `context` if declared, await coroutines."""
    target = found.entry.target
    kwargs: dict[str, Any] = {target.arg_name: request}
    if target.wants_context:
        kwargs["context"] = DevContext(target.name)
    result = target.function(**kwargs)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    return result


def make_wsgi_app(app: Any, route_prefix: str = DEFAULT_ROUTE_PREFIX, body_cap: int = MAX_BODY_BYTES) -> WsgiApp:
    """A WSGI app for a `func.FunctionApp` (calls `get_functions()` once) or a list of its functions."""
    functions = app.get_functions() if hasattr(app, "get_functions") else list(app)
    return WsgiApp(build_router(functions, route_prefix), body_cap)
