"""The catch-all (functions/fallback.py): Graph's 404/405 for every path and method no function takes.

The function is called as the worker calls it (a built `func.HttpRequest`), on an app indexed once with
`get_functions()` first, as the worker does; the routes it knows are read from that app, never listed.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

import azure.functions as func

from functions import fallback
from functions.routes import as_function
from shared.routing.table import Access, Route, RouteTable
from tests.functions.test_function_app import TENANT, index_functions

GUID = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"
Function = Callable[[func.HttpRequest], func.HttpResponse]


def _ok(call: object, route: object) -> func.HttpResponse:
    return func.HttpResponse("ok")


def build(*routes: tuple[str, str], prefix: str = "api") -> Function:
    """The catch-all of a table with one route per (method, template) and the catch-all row, as registered."""
    rows = [Route(f"f{i}", method, template, _ok) for i, (method, template) in enumerate(routes)]
    rows.append(Route(fallback.FUNCTION_NAME, None, fallback.TEMPLATE, fallback.answer, Access.ANONYMOUS))
    table = RouteTable(rows, prefix=prefix)
    return as_function(rows[-1], table)


def call(function: Function, method: str, path: str, headers: dict[str, str] | None = None) -> func.HttpResponse:
    request = func.HttpRequest(
        method=method,
        url=f"http://localhost:7071{path}",
        headers=headers or {},
        body=b"",
        route_params={"path": path.split("/", 2)[-1]},
    )
    response = function(request)
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


ROUTES = (
    ("GET", "me/profile"),
    ("POST", "me/profile"),
    ("DELETE", "me/profile"),
    ("GET", "users/{user}/profile"),
    ("GET", "items/{id}"),
    ("GET", "openapi.json"),
)


def test_another_method_on_a_registered_path_is_405_with_allow() -> None:
    catch_all = build(*ROUTES)
    response = call(catch_all, "PUT", "/api/me/profile")
    error_of(response, 405, "methodNotAllowed")
    assert response.headers["Allow"] == "DELETE, GET, POST"
    assert call(catch_all, "PATCH", "/api/users/a%40b.com/profile").headers["Allow"] == "GET"


def test_routes_match_case_insensitively_and_url_decoded() -> None:
    catch_all = build(*ROUTES)
    assert call(catch_all, "PUT", "/API/Me/PROFILE/").status_code == 405
    assert call(catch_all, "PUT", "/api/OpenAPI.JSON").headers["Allow"] == "GET"


def test_an_unknown_path_is_404_item_not_found() -> None:
    catch_all = build(*ROUTES)
    for path in ("/api/nope", "/api/me/profile/x/y/z", "/api", "/api/users//profile", f"/api/items/{GUID}/x"):
        error_of(call(catch_all, "GET", path), 404, "itemNotFound")
    assert call(catch_all, "DELETE", f"/api/items/{GUID}").headers["Allow"] == "GET"


def test_head_on_a_get_route_is_405_with_allow_get() -> None:
    """The host routes HEAD to no GET-only function, so the catch-all answers it."""
    response = call(build(*ROUTES), "HEAD", "/api/openapi.json")
    error_of(response, 405, "methodNotAllowed")
    assert response.headers["Allow"] == "GET"


def test_the_client_request_id_is_echoed() -> None:
    catch_all = build(*ROUTES)
    error = error_of(call(catch_all, "GET", "/api/nope", {"client-request-id": "trace-42"}), 404, "itemNotFound")
    assert error["innerError"]["client-request-id"] == "trace-42"


def test_route_prefix_comes_from_the_table() -> None:
    catch_all = build(*ROUTES, prefix="v1")
    assert call(catch_all, "PUT", "/v1/me/profile").headers["Allow"] == "DELETE, GET, POST"
    assert call(catch_all, "PUT", "/api/me/profile").status_code == 404


def test_host_json_is_read_in_one_place(tmp_path) -> None:
    from shared.routing.prefix import read_route_prefix

    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": "/v1/"}}}))
    assert read_route_prefix(tmp_path / "host.json") == "v1"
    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}))
    assert read_route_prefix(tmp_path / "host.json") == ""
    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0"}))
    assert read_route_prefix(tmp_path / "host.json") == "api"
    assert read_route_prefix(tmp_path / "missing.json") == "api"


def test_the_real_app_registers_the_catch_all_once_anonymous_and_for_every_method() -> None:
    functions = index_functions(catch_all=True, ENTRA_TENANT_ID=TENANT, ENTRA_AUDIENCES="api://x")
    (catch_all,) = [f for f in functions if f["name"] == fallback.FUNCTION_NAME]
    assert (catch_all["route"], catch_all["methods"], catch_all["auth"]) == ("{*path}", [], "ANONYMOUS")
