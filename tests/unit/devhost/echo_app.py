"""A tiny function app whose functions echo what they received, plus a WSGI call helper."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import azure.functions as func

from devhost.wsgi import WsgiApp, make_wsgi_app

ROUTES: list[tuple[str, str | None, list[str] | None]] = [
    # Registered in no particular order on purpose: the host routes by function name, not registration order.
    ("user_profile", "users/{user}/profile", ["GET", "POST"]),
    ("me_profile", "users/me/profile", ["GET"]),  # sorts before user_profile, so it takes users/me/profile
    ("item_any", "items/{name}", ["GET"]),
    ("files", "files/{*rest}", None),
    ("deleter", "things/{id}", ["DELETE"]),
    ("anything", "anything", None),
    ("named_route", None, ["GET"]),
]


def echo(name: str, req: func.HttpRequest) -> func.HttpResponse:
    """Return everything the function saw as JSON."""
    seen = {
        "function": name,
        "method": req.method,
        "url": req.url,
        "headers": dict(req.headers),
        "params": dict(req.params),
        "route_params": dict(req.route_params),
        "body": req.get_body().decode("latin-1"),
    }
    return func.HttpResponse(json.dumps(seen), status_code=200, mimetype="application/json")


def _register(app: func.FunctionApp, name: str, route: str | None, methods: list[str] | None) -> None:
    """Register one echoing function."""

    def handler(req: func.HttpRequest) -> func.HttpResponse:
        return echo(name, req)

    handler.__name__ = name
    app.function_name(name)(app.route(route=route, methods=methods)(handler))


def build_app() -> func.FunctionApp:
    """The echo app plus a few special-purpose functions."""
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for name, route, methods in ROUTES:
        _register(app, name, route, methods)

    @app.route(route="boom", methods=["GET"])
    def boom(req: func.HttpRequest) -> func.HttpResponse:
        raise RuntimeError("Traceback secret-value-123")

    @app.route(route="multi", methods=["GET"])
    def multi(req: func.HttpRequest) -> func.HttpResponse:
        resp = func.HttpResponse("hé", status_code=201, headers={"X-One": "1"})
        resp.headers.add("Set-Cookie", "a=1")
        resp.headers.add("Set-Cookie", "b=2")
        resp.headers.add("X-Many", "x")
        resp.headers.add("X-Many", "y")
        resp.headers["Connection"] = "close"
        return resp

    @app.route(route="empty", methods=["DELETE"])
    def empty(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse(status_code=204)

    @app.route(route="plain", methods=["GET"])
    def plain(req: func.HttpRequest) -> str:
        return "just text"

    @app.route(route="wrong", methods=["GET"])
    def wrong(req: func.HttpRequest) -> Any:
        return {"not": "a response"}

    @app.route(route="ctx", methods=["GET"])
    async def ctx(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
        return func.HttpResponse(context.function_name)

    return app


def make() -> WsgiApp:
    """A WSGI app over a fresh echo app (get_functions may be called once per app instance)."""
    return make_wsgi_app(build_app(), route_prefix="api")


def call(
    app: Callable[..., Any],
    method: str,
    uri: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    chunked: bool = False,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Call a WSGI app the way waitress would; return (status, headers, body)."""
    path, _, query = uri.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "REQUEST_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "7071",
        "HTTP_HOST": "127.0.0.1:7071",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
    }
    if body and not chunked:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    captured: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured["status"], captured["headers"] = status, response_headers

    out = b"".join(app(environ, start_response))
    return int(captured["status"].split()[0]), captured["headers"], out


def header(headers: list[tuple[str, str]], name: str) -> list[str]:
    """All values of a response header."""
    return [v for k, v in headers if k.lower() == name.lower()]
