"""The WSGI app, called directly: conversion of requests and responses, errors."""
from __future__ import annotations

import json
import logging
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
    got = seen("POST", "/api/users/a%40b.com/profile?x=1&y=%C3%A9+z", body=b'{"a":1}',
               headers={"Content-Type": "application/json", "Authorization": "Bearer t", "X-Custom": "v"})
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


def test_chunked_body_is_read_to_the_end() -> None:
    assert seen("POST", "/api/anything", body=b"x" * 5000, chunked=True)["body"] == "x" * 5000


def test_literal_route_wins_and_case_is_ignored() -> None:
    assert seen("GET", "/API/Users/ME/profile")["function"] == "me_profile"
    assert seen("GET", "/api/users/someone/profile")["function"] == "user_profile"


def test_constraint_routes() -> None:
    assert seen("GET", f"/api/items/{GUID}")["function"] == "item_guid"
    assert seen("GET", "/api/items/pen")["function"] == "item_any"
    assert seen("GET", "/api/nums/12")["route_params"] == {"n": "12"}
    assert call(make(), "GET", "/api/nums/x")[0] == 404


def test_catch_all_optional_and_default_route() -> None:
    assert seen("GET", "/api/files/a/b%2Fc")["route_params"] == {"rest": "a/b/c"}
    assert seen("GET", "/api/opt")["route_params"] == {}
    assert seen("DELETE", "/api/files")["function"] == "files"  # no methods listed: every method
    assert seen("GET", "/api/named_route")["function"] == "named_route"  # route=None: the function name


def test_unknown_path_is_404_json() -> None:
    status, headers, body = call(make(), "GET", "/api/nope")
    assert status == 404
    assert header(headers, "Content-Type") == ["application/json"]
    assert json.loads(body)["error"]["code"] == "itemNotFound"
    assert call(make(), "GET", "/users/me/profile")[0] == 404  # outside the route prefix


def test_wrong_method_is_405_with_allow() -> None:
    status, headers, body = call(make(), "PUT", "/api/users/x/profile")
    assert status == 405
    assert header(headers, "Allow") == ["GET, HEAD, POST"]
    assert json.loads(body)["error"]["code"] == "methodNotAllowed"


def test_head_runs_get_without_a_body() -> None:
    status, headers, body = call(make(), "HEAD", "/api/users/x/profile")
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


def test_204_has_no_body_or_length() -> None:
    status, headers, body = call(make(), "DELETE", "/api/empty")
    assert (status, body, header(headers, "Content-Length")) == (204, b"", [])


def test_str_return_and_async_function_with_context() -> None:
    assert call(make(), "GET", "/api/plain")[::2] == (200, b"just text")
    assert call(make(), "GET", "/api/ctx")[::2] == (200, b"ctx")


def test_exception_is_500_without_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="devhost"):
        status, headers, body = call(make(), "GET", "/api/boom")
    assert status == 500
    assert json.loads(body) == {"error": {"code": "generalException", "message": "An unexpected error occurred."}}
    assert b"secret" not in body and b"Traceback" not in body
    assert "secret-value-123" in caplog.text  # the traceback goes to the log (stderr) only


def test_bad_return_type_is_500() -> None:
    assert call(make(), "GET", "/api/wrong")[0] == 500


def test_body_cap_and_bad_content_length() -> None:
    small = make_wsgi_app(build_app(), "api", body_cap=10)
    status, _, body = call(small, "POST", "/api/anything", body=b"x" * 11)
    assert status == 413 and json.loads(body)["error"]["code"] == "requestTooLarge"
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
