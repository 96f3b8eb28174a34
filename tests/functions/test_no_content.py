"""A 204 reaches the Functions host with an empty Content-Type, which the host removes (contract §6)."""

from __future__ import annotations

from azure.functions.http import HttpResponseConverter

from shared.web.responses import RequestIds, empty_response, json_response


def _encoded_headers(response: object) -> dict[str, str]:
    datum = HttpResponseConverter.encode(response, expected_type=None)
    return {name: value.value for name, value in datum.value["headers"].items()}


def test_a_204_is_handed_to_the_host_with_an_empty_content_type() -> None:
    headers = _encoded_headers(empty_response(RequestIds("a", "b")))
    assert headers["content-type"] == ""
    assert headers["request-id"] == "a" and headers["client-request-id"] == "b"


def test_a_json_response_keeps_its_content_type() -> None:
    headers = _encoded_headers(json_response(RequestIds("a", "a"), {"x": 1}))
    assert headers["content-type"].startswith("application/json")
