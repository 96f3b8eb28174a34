"""The WSGI app, called directly: conversion of requests and responses, errors."""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import pytest

from devhost.convert import MAX_BODY_BYTES
from devhost.wsgi import make_wsgi_app
from tests.unit.devhost.echo_app import build_app, call, header, make

GUID = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"


def seen(method: str, uri: str, **kwargs: Any) -> dict[str, Any]:
    """What the echo function received (asserting a 200)."""
    status, _, body = call(make(), method, uri, **kwargs)
    assert status == 200, body
    return json.loads(body)


def test_request_conversion() -> None:
    got = seen(
        "POST",
        "/api/users/a%40b.com/profile?x=1&y=%C3%A9+z",
        body=b'{"a":1}',
        headers={"Content-Type": "application/json", "Authorization": "Bearer t", "X-Custom": "v"},
    )
    assert got["function"] == "user_profile"
    assert got["method"] == "POST"
    assert got["url"] == "http://127.0.0.1:7071/api/users/a%40b.com/profile?x=1&y=%C3%A9+z"
    assert got["route_params"] == {"user": "a@b.com"}
    assert got["params"] == {"x": "1", "y": "é z"}
    assert got["body"] == '{"a":1}'
    assert got["headers"]["content-type"] == "application/json"
    assert got["headers"]["authorization"] == "Bearer t"
    assert got["headers"]["x-custom"] == "v"
    assert got["headers"]["content-length"] == "7"


def test_repeated_query_keys_are_joined_and_empty_values_dropped() -> None:
    got = seen("GET", "/api/anything?a=1&A=2&b=&c")
    assert got["params"] == {"a": "1,2"}


def test_a_chunked_body_does_not_reach_the_function() -> None:
    """The host forwards a body to the worker only with a Content-Length above 0."""
    assert seen("POST", "/api/anything", body=b"x" * 5000, chunked=True)["body"] == ""
    assert seen("POST", "/api/anything", body=b"x" * 5000)["body"] == "x" * 5000


def test_the_first_function_in_name_order_wins_and_case_is_ignored() -> None:
    assert seen("GET", "/API/Users/ME/profile")["function"] == "me_profile"
    assert seen("GET", "/api/users/someone/profile")["function"] == "user_profile"
    assert seen("POST", "/api/users/me/profile")["function"] == "user_profile"  # me_profile is GET only
    assert seen("GET", "/api/items/pen")["route_params"] == {"name": "pen"}


def test_catch_all_and_default_route() -> None:
    assert seen("GET", "/api/files/a/b%2Fc")["route_params"] == {"rest": "a/b%2Fc"}
    assert seen("DELETE", "/api/files")["function"] == "files"  # no methods listed: every method
    assert seen("GET", "/api/named_route")["function"] == "named_route"  # route=None: the function name


def graph_error(status: int, headers: list[tuple[str, str]], body: bytes, code: str) -> dict[str, Any]:
    """Assert Graph's envelope (contract §6) with the support ids; return the `error` object."""
    assert header(headers, "Content-Type") == ["application/json"]
    assert header(headers, "Content-Length") == [str(len(body))]
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"]
    inner = error["innerError"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", inner["date"])
    assert header(headers, "request-id") == [inner["request-id"]] and uuid.UUID(inner["request-id"])
    assert header(headers, "client-request-id") == [inner["client-request-id"]]
    return error


def test_unknown_path_is_404_in_graphs_envelope() -> None:
    status, headers, body = call(make(), "GET", "/api/nope")
    assert status == 404
    error = graph_error(status, headers, body, "itemNotFound")
    assert error["innerError"]["client-request-id"] == error["innerError"]["request-id"]
    assert call(make(), "GET", "/users/me/profile")[0] == 404  # outside the route prefix


def test_host_errors_echo_the_client_request_id() -> None:
    status, headers, body = call(make(), "GET", "/api/nope", headers={"client-request-id": "abc-123"})
    assert graph_error(status, headers, body, "itemNotFound")["innerError"]["client-request-id"] == "abc-123"
    status, headers, body = call(make(), "GET", "/api/nope", headers={"client-request-id": "bad id\u00e9"})
    inner = graph_error(status, headers, body, "itemNotFound")["innerError"]
    assert inner["client-request-id"] == inner["request-id"], "an unusable id is replaced, as the app does"


def test_host_envelope_is_the_apps_envelope() -> None:
    from shared.errors import NotFound
    from shared.web.responses import RequestIds, error_response

    app_body = json.loads(error_response(RequestIds("r", "c"), NotFound("x")).get_body())
    host_body = json.loads(call(make(), "GET", "/api/nope")[2])
    assert set(host_body["error"]) == set(app_body["error"])
    assert set(host_body["error"]["innerError"]) == set(app_body["error"]["innerError"])


def test_a_method_no_function_takes_is_the_hosts_404() -> None:
    """The host has no 405: a method is part of the match (the app's catch-all answers 405 in its place)."""
    status, headers, body = call(make(), "PUT", "/api/users/x/profile")
    graph_error(status, headers, body, "itemNotFound")


def test_head_is_answered_only_by_a_function_that_lists_it() -> None:
    assert call(make(), "HEAD", "/api/users/x/profile")[0] == 404  # GET and POST only
    status, headers, body = call(make(), "HEAD", "/api/anything")  # every method
    assert status == 200 and body == b""
    assert int(header(headers, "Content-Length")[0]) > 0


def test_response_headers_multi_values_content_type_and_hop_by_hop() -> None:
    status, headers, body = call(make(), "GET", "/api/multi")
    assert status == 201
    assert body == "hé".encode()
    assert header(headers, "Set-Cookie") == ["a=1", "b=2"]
    assert header(headers, "X-Many") == ["x", "y"]
    assert header(headers, "X-One") == ["1"]
    assert header(headers, "Content-Type") == ["text/plain; charset=utf-8"]
    assert header(headers, "Content-Length") == [str(len(body))]
    assert header(headers, "Connection") == []


def test_204_has_no_body_length_or_content_type() -> None:
    status, headers, body = call(make(), "DELETE", "/api/empty")
    assert (status, body, header(headers, "Content-Length"), header(headers, "Content-Type")) == (204, b"", [], [])


def test_str_return_and_async_function_with_context() -> None:
    assert call(make(), "GET", "/api/plain")[::2] == (200, b"just text")
    assert call(make(), "GET", "/api/ctx")[::2] == (200, b"ctx")


def test_exception_is_500_without_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="devhost"):
        status, headers, body = call(make(), "GET", "/api/boom")
    assert status == 500
    assert graph_error(status, headers, body, "generalException")["message"] == "An unexpected error occurred."
    assert b"secret" not in body and b"Traceback" not in body
    assert "secret-value-123" in caplog.text  # the traceback goes to the log (stderr) only


def test_bad_return_type_is_500() -> None:
    assert call(make(), "GET", "/api/wrong")[0] == 500


def test_body_cap_and_bad_content_length() -> None:
    small = make_wsgi_app(build_app(), "api", body_cap=10)
    status, headers, body = call(small, "POST", "/api/anything", body=b"x" * 11)
    assert status == 413 and "10 bytes" in graph_error(status, headers, body, "requestTooLarge")["message"]
    assert call(small, "POST", "/api/anything", body=b"x" * 11, chunked=True)[0] == 413
    assert call(small, "POST", "/api/anything", body=b"x" * 10)[0] == 200
    assert call(make(), "POST", "/api/anything", headers={"Content-Length": "12x"})[0] == 400
    assert MAX_BODY_BYTES == 100 * 1024 * 1024


def test_request_log_line_has_no_query_or_headers(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="devhost"):
        call(make(), "GET", "/api/anything?access_token=secret", headers={"Authorization": "Bearer hidden"})
    lines = [r.getMessage() for r in caplog.records if r.name == "devhost"]
    assert len(lines) == 1 and lines[0].startswith("GET /api/anything 200 ")
    assert "secret" not in caplog.text and "hidden" not in caplog.text


def test_function_list_is_accepted_instead_of_an_app() -> None:
    wsgi = make_wsgi_app(build_app().get_functions(), route_prefix="")
    assert call(wsgi, "GET", "/anything")[0] == 200
