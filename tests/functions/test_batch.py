"""`POST $batch` at the function level: the `batch` function as registered, the other functions as its requests.

The end-to-end suite (tests/e2e/test_batch.py) covers each rule over HTTP on both stores; here are the
finer points of reading a batch (shared/web/batch.py), the schemas of the OpenAPI document against real
batches, and what a request sees (query, route values, headers, body bytes) compared with a direct call.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import azure.functions as func
import pytest
from jsonschema import Draft202012Validator

from shared import openapi
from shared.errors import BadRequest
from shared.web.batch import ENVELOPE_DEPTH, MAX_REQUESTS, read_batch
from tests.functions.helpers import FUNCTIONS, TABLE
from tests.support.app import BASE, body_of, build_request

ROOT = BASE.rstrip("/")
SKILL = {"displayName": "Python", "allowedAudiences": "organization"}
JSON = {"Content-Type": "application/json"}


def batch(invoke: Any, token: str | None, requests: Any, **kwargs: Any) -> func.HttpResponse:
    body = requests if isinstance(requests, bytes | str) else json.dumps({"requests": requests})
    return invoke(
        FUNCTIONS["batch"],
        "POST",
        "$batch",
        token=token,
        body=body,
        headers={**JSON, **kwargs.pop("headers", {})},
        **kwargs,
    )


def responses(response: func.HttpResponse) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.get_body()
    return {item["id"]: item for item in body_of(response)["responses"]}


def read(requests: Any, **kwargs: Any) -> list[Any]:
    """`read_batch` on a batch of `requests` under the test host's API root."""
    return read_batch(
        json.dumps({"requests": requests}).encode(),
        "application/json",
        max_bytes=1 << 20,
        api_root=ROOT,
        prefix="api",
        **kwargs,
    )


def refused(requests: Any) -> str:
    with pytest.raises(BadRequest) as info:
        read(requests)
    return info.value.message


def get(request_id: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"id": request_id, "method": "GET", "url": url, **extra}


# --- reading a batch -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "path", "query"),
    [
        ("/me/profile/skills?$top=5", "me/profile/skills", "$top=5"),
        ("me/profile/skills", "me/profile/skills", ""),
        ("/api/me/profile/skills?$top=5", "me/profile/skills", "$top=5"),  # the JS client's form
        ("/API/me/profile", "me/profile", ""),
        (f"{ROOT}/me/profile?$select=id", "me/profile", "$select=id"),  # absolute, this API's own root
        (f"{ROOT.upper()}/me/profile", "me/profile", ""),
        ("/users/adele@contoso.test/profile#fragment", "users/adele@contoso.test/profile", ""),
        ("/me/profile/skills?$filter=displayName eq 'é'", "me/profile/skills", "$filter=displayName eq 'é'"),
        ("/me/profile/skills é", "me/profile/skills%20%C3%A9", ""),
        ("/apis/me", "apis/me", ""),  # not the prefix: a path of its own (404 when run)
    ],
)
def test_urls_are_taken_relative_to_the_api_root(url: str, path: str, query: str) -> None:
    (request,) = read([get("1", url)])
    assert (request.path, request.query) == (path, query)


@pytest.mark.parametrize(
    "url",
    [
        "https://graph.microsoft.com/beta/me/profile",
        "http://127.0.0.1:7071/apix/me",
        "//127.0.0.1:7071/api/me",
        "urn:x",
        "",
        "/me/\nprofile",
        "/me/profile\x00",
    ],
)
def test_a_url_elsewhere_or_malformed_refuses_the_batch(url: str) -> None:
    assert "'url'" in refused([get("1", url)])


def test_method_headers_and_body_as_the_host_would_pass_them() -> None:
    (first, second, third) = read(
        [
            {
                "id": "a",
                "method": "patch",
                "url": "/me/profile/skills/x",
                "headers": {
                    "If-Match": '"1"',
                    "Content-Type": "application/json",
                    "Content-Length": "999",
                    "Host": "evil",
                },
                "body": {"displayName": "é", "n": 1.5, "list": [1, None]},
            },
            {
                "id": "b",
                "method": "POST",
                "url": "/me/profile/skills",
                "headers": {"content-type": "application/json"},
                "body": base64.urlsafe_b64encode(b'{"displayName":"?>"}').decode().rstrip("="),
            },
            {"id": "c", "method": "POST", "url": "/me/profile", "headers": None, "body": None, "dependsOn": None},
        ]
    )
    assert first.method == "PATCH"
    assert first.headers == {"if-match": '"1"', "content-type": "application/json"}  # framing headers dropped
    assert first.body == '{"displayName":"é","n":1.5,"list":[1,null]}'.encode()
    assert second.body == b'{"displayName":"?>"}'
    assert (third.headers, third.body, third.depends_on) == ({}, b"", ())


@pytest.mark.parametrize(
    ("requests", "says"),
    [
        ([{"id": "1", "method": "G ET", "url": "/me"}], "'method'"),
        ([{"id": "1", "method": 1, "url": "/me"}], "'method'"),
        ([{"id": 1, "method": "GET", "url": "/me"}], "needs an 'id'"),
        ([{"id": "", "method": "GET", "url": "/me"}], "needs an 'id'"),
        ([{"id": "x" * 257, "method": "GET", "url": "/me"}], "needs an 'id'"),
        ([get("1", "/me", headers=["If-Match"])], "'headers'"),
        ([get("1", "/me", headers={"If-Match": 1})], "string value"),
        ([get("1", "/me", headers={"Bad Name": "x"})], "header name"),
        ([get("1", "/me", headers={"X-A": "a\r\nX-B: b"})], "line breaks"),
        ([get("1", "/me", headers={"If-Match": "*", "if-match": "*"})], "more than once"),
        ([get("1", "/me", headers={"Content-Type": "application/json"}, body="not base64!")], "not base64"),
        ([get("1", "/me", dependsOn="0")], "array of request ids"),
        ([get("0", "/me"), get("1", "/me", dependsOn=["0"], depends_on=["0"])], "both"),
        (
            [get("a", "/me", dependsOn=["c"]), get("b", "/me", dependsOn=["a"]), get("c", "/me", dependsOn=["b"])],
            "cycle: 'a' -> 'c' -> 'b' -> 'a'",
        ),
    ],
)
def test_each_malformed_request_refuses_the_batch_naming_it(requests: Any, says: str) -> None:
    assert says in refused(requests)


def test_depends_on_keeps_positions_and_ignores_repeats_and_case() -> None:
    requests = read([get("One", "/me"), get("two", "/me"), get("3", "/me", dependsOn=["TWO", "one", "two"])])
    assert requests[2].depends_on == (1, 0)


def test_bodies_nest_as_deep_in_a_batch_as_directly(invoke: Any, identity: Any) -> None:
    """The batch adds its own levels above a body and allows exactly those: a body at the direct limit reads
    (and meets the facet's own checks), a deeper one makes the batch's JSON too deep: the whole batch is 400."""

    def nested(levels: int) -> Any:
        value: Any = 1
        for _ in range(levels):
            value = {"a": value}
        return value

    token = identity.mint()
    deep = responses(
        batch(
            invoke,
            token,
            [
                {"id": "deep", "method": "POST", "url": "/me/profile/skills", "headers": JSON, "body": nested(32)},
            ],
        )
    )["deep"]
    direct = invoke(
        FUNCTIONS["skills_create_me"],
        "POST",
        "me/profile/skills",
        token=token,
        body=json.dumps(nested(32)),
        headers=JSON,
    )
    assert deep["status"] == direct.status_code == 400
    assert deep["body"]["error"]["message"] == body_of(direct)["error"]["message"]  # 'a' is no property
    too_deep = [{"id": "x", "method": "POST", "url": "/me/profile/skills", "headers": JSON, "body": nested(33)}]
    whole = batch(invoke, token, too_deep)
    assert whole.status_code == 400
    assert f"nesting deeper than {32 + ENVELOPE_DEPTH} levels" in body_of(whole)["error"]["message"]


def test_the_batch_limits_are_its_own_setting(invoke: Any, identity: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from shared import composition

    monkeypatch.setenv("MAX_BATCH_BODY_BYTES", "300")
    composition.reset()
    token = identity.mint()
    fits = batch(invoke, token, [get("1", "/me/profile")])
    assert fits.status_code == 200
    over = batch(invoke, token, [get(str(n), "/me/profile") for n in range(8)])
    assert over.status_code == 413 and body_of(over)["error"]["code"] == "requestTooLarge"
    assert "300 bytes" in body_of(over)["error"]["message"]
    assert MAX_REQUESTS == 20


# --- what a request sees --------------------------------------------------------------------------------


def test_a_request_is_the_direct_call(invoke: Any, identity: Any) -> None:
    """The same function answers the same way: a batched create, list (query) and get (route values) agree
    with their direct calls, the nextLink and Location name this API's root."""
    token = identity.mint()
    found = responses(
        batch(
            invoke,
            token,
            [
                {"id": str(n), "method": "POST", "url": "/me/profile/skills", "headers": JSON, "body": SKILL}
                for n in range(3)
            ]
            + [get("list", "me/profile/skills?$top=2&top=&$orderby=createdDateTime desc&$select=displayName")],
        )
    )
    direct = invoke(
        FUNCTIONS["skills_list_me"],
        "GET",
        "me/profile/skills",
        token=token,
        params={"$top": "2", "$orderby": "createdDateTime desc", "$select": "displayName"},
    )
    listed = found["list"]["body"]
    assert {**listed, "@odata.nextLink": None} == {**body_of(direct), "@odata.nextLink": None}
    assert listed["@odata.nextLink"].startswith(f"{ROOT}/me/profile/skills?")
    created = found["0"]
    one = invoke(
        FUNCTIONS["skills_get_me"],
        "GET",
        f"me/profile/skills/{created['body']['id']}",
        token=token,
        route_params={"id": created["body"]["id"]},
    )
    assert body_of(one) == created["body"] and one.headers["ETag"] == created["headers"]["ETag"]
    assert created["headers"]["Location"].startswith(f"{ROOT}/users/")


def test_a_204_has_neither_body_nor_content_type(invoke: Any, identity: Any) -> None:
    token = identity.mint()
    made = responses(
        batch(
            invoke, token, [{"id": "c", "method": "POST", "url": "/me/profile/skills", "headers": JSON, "body": SKILL}]
        )
    )["c"]
    gone = responses(
        batch(invoke, token, [{"id": "d", "method": "DELETE", "url": f"/me/profile/skills/{made['body']['id']}"}])
    )["d"]
    assert gone["status"] == 204 and "body" not in gone
    assert "Content-Type" not in gone["headers"] and gone["headers"]["request-id"]


def test_the_batch_and_its_responses_match_the_openapi_schemas(invoke: Any, identity: Any) -> None:
    document = openapi.document(TABLE)

    def validator(name: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})

    requests = [
        {"id": "c", "method": "POST", "url": "/me/profile/skills", "headers": JSON, "body": SKILL},
        get("l", "/me/profile/skills", dependsOn=["c"]),
        {"id": "d", "method": "DELETE", "url": "/me/profile/skills/none"},
    ]
    validator("batchRequest").validate({"requests": requests})
    response = batch(invoke, identity.mint(), requests)
    validator("batchResponse").validate(body_of(response))
    assert not validator("batchRequest").is_valid({"requests": []})
    assert not validator("batchRequest").is_valid({"requests": [get(str(n), "/me") for n in range(21)]})


def test_only_post_and_a_request_in_a_batch_never_reaches_another_batch(invoke: Any, identity: Any) -> None:
    token = identity.mint()
    found = TABLE.router().resolve("GET", "/api/$batch")
    assert found is not None and found.entry.name == "zz_fallback"  # GET: the catch-all's 405
    for url in ("/$batch", "$BATCH", "/api/%24batch", f"{ROOT}/$batch?x=1", "/$batch/"):
        response = batch(
            invoke, token, [{"id": "1", "method": "POST", "url": url, "headers": JSON, "body": {"requests": []}}]
        )
        assert response.status_code == 400 and "do not nest" in body_of(response)["error"]["message"], url


def test_a_batch_with_no_catch_all_answers_unknown_paths_404(identity: Any, invoke: Any) -> None:
    """The host's own 404 when no function takes the path (a table without the catch-all)."""
    from functions.routes import as_function
    from shared.routing.table import RouteTable

    rows = RouteTable([row for row in TABLE if row.name != "zz_fallback"])
    function = as_function(next(row for row in rows if row.name == "batch"), rows)
    request = build_request(
        "POST", "$batch", token=identity.mint(), body={"requests": [get("1", "/nothing/here"), get("2", "/me/profile")]}
    )
    found = responses(function(request))
    assert found["1"]["status"] == 404 and found["1"]["body"]["error"]["code"] == "itemNotFound"
    assert found["2"]["status"] == 200
