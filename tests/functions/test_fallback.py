"""The catch-all (functions/fallback.py): Graph's 404/405 for every path and method no function takes.

The function is called as the worker calls it (a built `func.HttpRequest`), on an app indexed once with
`get_functions()` first, as the worker does; the routes it knows are read from that app, never listed.
"""
from __future__ import annotations

import json
import re
import uuid

import azure.functions as func

from functions import fallback
from tests.functions.test_function_app import index_functions

GUID = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"


def _ok(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("ok")


def build(*routes: tuple[str, str], late: tuple[str, str] | None = None) -> tuple[func.FunctionApp, func.Function]:
    """An app with one function per (method, route), the catch-all registered last, indexed once."""
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for i, (method, route) in enumerate(routes):
        app.function_name(f"f{i}")(app.route(route=route, methods=[method])(_ok))
    fallback.register(app)
    if late is not None:  # registered after the catch-all, before its first request
        app.function_name("late")(app.route(route=late[1], methods=[late[0]])(_ok))
    functions = app.get_functions()  # the worker's indexing: only once per app
    (catch_all,) = [f for f in functions if f.get_function_name() == fallback.FUNCTION_NAME]
    return app, catch_all


def call(function: func.Function, method: str, path: str, headers: dict[str, str] | None = None) -> func.HttpResponse:
    request = func.HttpRequest(method=method, url=f"http://localhost:7071{path}", headers=headers or {}, body=b"",
                               route_params={"path": path.split("/", 2)[-1]})
    response = function.get_user_function()(request)
    assert isinstance(response, func.HttpResponse)
    return response


def error_of(response: func.HttpResponse, status: int, code: str) -> dict:
    """Graph's envelope with the support ids (contract §6)."""
    assert response.status_code == status and response.mimetype == "application/json"
    error = json.loads(response.get_body())["error"]
    assert error["code"] == code and error["message"]
    inner = error["innerError"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", inner["date"]) and uuid.UUID(inner["request-id"])
    assert response.headers["request-id"] == inner["request-id"]
    assert response.headers["client-request-id"] == inner["client-request-id"]
    return error


ROUTES = (("GET", "me/profile"), ("POST", "me/profile"), ("DELETE", "me/profile"),
          ("GET", "users/{user}/profile"), ("GET", "items/{id:guid}"), ("GET", "openapi.json"))


def test_another_method_on_a_registered_path_is_405_with_allow() -> None:
    _, catch_all = build(*ROUTES)
    response = call(catch_all, "PUT", "/api/me/profile")
    error_of(response, 405, "methodNotAllowed")
    assert response.headers["Allow"] == "DELETE, GET, POST"
    assert call(catch_all, "PATCH", "/api/users/a%40b.com/profile").headers["Allow"] == "GET"


def test_routes_match_case_insensitively_and_url_decoded() -> None:
    _, catch_all = build(*ROUTES)
    assert call(catch_all, "PUT", "/API/Me/PROFILE/").status_code == 405
    assert call(catch_all, "PUT", "/api/OpenAPI.JSON").headers["Allow"] == "GET"


def test_an_unknown_path_is_404_item_not_found() -> None:
    _, catch_all = build(*ROUTES)
    for path in ("/api/nope", "/api/me/profile/x/y/z", "/api", "/api/users//profile", f"/api/items/{GUID}x"):
        error_of(call(catch_all, "GET", path), 404, "itemNotFound")
    assert call(catch_all, "DELETE", f"/api/items/{GUID}").headers["Allow"] == "GET", "constraints are honoured"


def test_the_client_request_id_is_echoed() -> None:
    _, catch_all = build(*ROUTES)
    error = error_of(call(catch_all, "GET", "/api/nope", {"client-request-id": "trace-42"}), 404, "itemNotFound")
    assert error["innerError"]["client-request-id"] == "trace-42"


def test_routes_are_read_from_the_app_at_first_use() -> None:
    """Nothing is listed in fallback.py: a route registered after `register()` is known too."""
    _, catch_all = build(*ROUTES, late=("PATCH", "me/profile/skills/{id}"))
    assert call(catch_all, "GET", "/api/me/profile/skills/1").headers["Allow"] == "PATCH"


def test_route_prefix_comes_from_host_json(tmp_path) -> None:
    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": "/v1/"}}}))
    assert fallback.route_prefix(tmp_path / "host.json") == "v1"
    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0"}))
    assert fallback.route_prefix(tmp_path / "host.json") == "api"
    assert fallback.route_prefix(tmp_path / "missing.json") == "api"
    app, _ = build(*ROUTES)
    routes = fallback.RegisteredRoutes(app, prefix="v1")
    assert routes.allowed("/v1/me/profile") == ("DELETE", "GET", "POST") and routes.allowed("/api/me/profile") == ()


def test_the_real_app_registers_the_catch_all_last_and_anonymous() -> None:
    functions = index_functions(catch_all=True, ENTRA_TENANT_ID="3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c",
                                ENTRA_AUDIENCES="api://x")
    last = functions[-1]
    assert (last["name"], last["route"], last["methods"], last["auth"]) == ("fallback", "{*path}", [], "ANONYMOUS")
    assert [f["name"] for f in functions].count("fallback") == 1
