"""`POST $batch` end to end: raw HTTP and Microsoft's JS Graph client through the local host, on both stores.

One host per store serves the module (`module_api`, as in test_api.py); every test works on users of its own.
- Raw HTTP: every way a batch is refused as a whole (400, nothing runs; 413 over MAX_BATCH_BODY_BYTES), and
  per request: 401, 403, 404, 405, 412 with their envelopes and headers, 424 for a failed dependency (never
  run), 413 for a body over MAX_BODY_BYTES, its own Authorization refused, Idempotency-Key, a batch of 20
  creates across the collections that reads back exactly as direct calls do.
- The JS Graph client (`@microsoft/microsoft-graph-client`, BatchRequestContent / BatchResponseContent),
  driven by tests/e2e/js/graph_client_batch.js under `node`.
The msgraph-beta-sdk (Python) batch is in tests/e2e/sdk/test_batch.py.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from shared.facets.catalog import FACET_TYPES
from tests.e2e.conftest import Api, User, new_user
from tests.support.facet_bodies import full_body
from tests.support.identity import Identity
from tests.support.localhost import PROJECT_ROOT

JSON = {"Content-Type": "application/json"}
SKILL = {"displayName": "Python", "proficiency": "expert", "allowedAudiences": "organization"}
MISSING = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"
JS_CLIENT = PROJECT_ROOT / "tests" / "e2e" / "js" / "graph_client_batch.js"
GRAPH_CLIENT = PROJECT_ROOT / "node_modules" / "@microsoft" / "microsoft-graph-client"


@pytest.fixture
def user(module_identity: Identity) -> User:
    return new_user(module_identity)


def create(request_id: str = "create", collection: str = "skills", body: Any = None, **extra: Any) -> dict[str, Any]:
    """A create request of a batch (JSON body, Content-Type)."""
    return {
        "id": request_id,
        "method": "POST",
        "url": f"/me/profile/{collection}",
        "headers": {"Content-Type": "application/json", **extra.pop("headers", {})},
        "body": SKILL if body is None else body,
        **extra,
    }


def send(api: Api, token: str | None, batch: Any, **kwargs: Any) -> requests.Response:
    """POST the batch (a value to serialise, or raw bytes) to `$batch`."""
    headers = {**JSON, **kwargs.pop("headers", {})}
    data = batch if isinstance(batch, bytes) else json.dumps(batch).encode()
    return api.request("POST", "$batch", token, data=data, headers=headers, **kwargs)


def answers(response: requests.Response) -> dict[str, dict[str, Any]]:
    """The batch's responses by id (the batch itself must be 200, the responses in the requests' order)."""
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["request-id"]
    items = response.json()["responses"]
    assert all(set(item) <= {"id", "status", "headers", "body"} for item in items)
    return {item["id"]: item for item in items}


def envelope(item: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    """The request's error envelope, checked as a direct call's: code, message, innerError, ids, Content-Type."""
    assert item["status"] == status, item
    assert item["headers"]["Content-Type"].startswith("application/json")
    error = item["body"]["error"]
    assert error["code"] == code and error["message"]
    inner = error["innerError"]
    assert inner["request-id"] == item["headers"]["request-id"]
    assert inner["client-request-id"] == item["headers"]["client-request-id"]
    return error


def skills(api: Api, user: User) -> list[dict[str, Any]]:
    response = api.request("GET", "me/profile/skills", user.token)
    assert response.status_code == 200, response.text
    return response.json()["value"]


# --- the whole batch refused: 400 (or 413), nothing runs -----------------------------------------------------

REFUSED: dict[str, tuple[Any, str]] = {
    "not JSON": (b'{"requests": [', "Invalid JSON"),
    "a trailing comma": (b'{"requests": [{"id": "1", "method": "GET", "url": "/me/profile"},]}', "Invalid JSON"),
    "no requests": ({}, "'requests' array"),
    "requests not an array": ({"requests": {"id": "1"}}, "'requests' array"),
    "no request at all": ({"requests": []}, "from 1 to 20"),
    "21 requests": ({"requests": [create(str(n)) for n in range(21)]}, "from 1 to 20"),
    "an id twice": ({"requests": [create("1"), create("1")]}, "more than one request"),
    "an id twice, ignoring case": ({"requests": [create("a"), create("A")]}, "more than one request"),
    "no id": ({"requests": [create(), {"method": "GET", "url": "/me/profile"}]}, "needs an 'id'"),
    "no url": ({"requests": [create(), {"id": "2", "method": "GET"}]}, "'url'"),
    "no method": ({"requests": [create(), {"id": "2", "url": "/me/profile"}]}, "'method'"),
    "a request not an object": ({"requests": [create(), "GET /me/profile"]}, "not a JSON object"),
    "an unknown member": (
        {"requests": [create(), {"id": "2", "method": "GET", "url": "/me", "x": 1}]},
        "'x' does not exist",
    ),
    "atomicityGroup": ({"requests": [create(atomicityGroup="g")]}, "atomicityGroup"),
    "a body without Content-Type": (
        {"requests": [create(), {"id": "2", "method": "POST", "url": "/me/profile/skills", "body": SKILL}]},
        "no Content-Type",
    ),
    "dependsOn an unknown id": ({"requests": [create(), create("2", dependsOn=["nobody"])]}, "no request of the batch"),
    "dependsOn a later request": ({"requests": [create("1", dependsOn=["2"]), create("2")]}, "comes after it"),
    "dependsOn itself": ({"requests": [create(), create("2", dependsOn=["2"])]}, "cycle"),
    "a dependsOn cycle": (
        {"requests": [create(), create("a", dependsOn=["b"]), create("b", dependsOn=["a"])]},
        "cycle",
    ),
    "a nested $batch": (
        {"requests": [create(), create("2", url="/$batch", body={"requests": []})]},
        "batches do not nest",
    ),
    "a nested $batch, encoded": (
        {"requests": [create(), {"id": "2", "method": "GET", "url": "%24batch"}]},
        "batches do not nest",
    ),
    "a url elsewhere": (
        {"requests": [create(), {"id": "2", "method": "GET", "url": "https://graph.microsoft.com/beta/me/profile"}]},
        "relative to the API root",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_malformed_batch_is_400_and_nothing_runs(module_api: Api, user: User, case: str) -> None:
    batch, says = REFUSED[case]
    response = send(module_api, user.token, batch)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalidRequest" and says in error["message"], error
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert skills(module_api, user) == []


def test_a_batch_needs_a_json_content_type_and_a_body_within_max_batch_body_bytes(module_api: Api, user: User) -> None:
    batch = json.dumps({"requests": [create()]}).encode()
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": ""}):
        plain = module_api.request("POST", "$batch", user.token, data=batch, headers=headers)
        assert plain.status_code == 400 and plain.json()["error"]["code"] == "invalidRequest"
    padded = b'{"requests": [' + b" " * (2 * 1024 * 1024) + b"]}"  # over the default MAX_BATCH_BODY_BYTES
    too_large = send(module_api, user.token, padded)
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "requestTooLarge"
    assert module_api.request("GET", "$batch", user.token).status_code == 405  # POST only, as Graph
    assert skills(module_api, user) == []


# --- each request as a direct call ---------------------------------------------------------------------------


def test_creates_reads_and_urls_in_every_accepted_form(module_api: Api, user: User) -> None:
    api = module_api
    base = f"{api.url}/me/profile/skills"
    response = send(
        api,
        user.token,
        {
            "requests": [
                create("plain", headers={"client-request-id": "mine-1"}),
                create("prefixed", url="/api/me/profile/skills"),  # as the JS client writes a URL it was given whole
                create("absolute", url=base),
                create("no slash", url="me/profile/skills"),
                create("base64", body=base64.b64encode(json.dumps(SKILL).encode()).decode()),
                {
                    "id": "list",
                    "method": "GET",
                    "dependsOn": ["plain"],
                    "url": "me/profile/skills?$filter=displayName eq 'Python'&$count=true&$top=2&$select=displayName",
                },
            ]
        },
        headers={"client-request-id": "batch-1"},
    )
    found = answers(response)
    assert list(found) == ["plain", "prefixed", "absolute", "no slash", "base64", "list"]
    for request_id in ("plain", "prefixed", "absolute", "no slash", "base64"):
        item = found[request_id]
        assert item["status"] == 201, item
        facet = item["body"]
        assert item["headers"]["Location"] == f"{api.url}/users/{user.oid}/profile/skills/{facet['id']}"
        direct = api.request("GET", f"me/profile/skills/{facet['id']}", user.token)
        assert direct.json() == facet and direct.headers["ETag"] == item["headers"]["ETag"]
        assert facet["@odata.context"] == f"{api.url}/$metadata#users('{user.oid}')/profile/skills/$entity"
    # The request's own client-request-id, else the batch's; a request-id of each request's own.
    assert found["plain"]["headers"]["client-request-id"] == "mine-1"
    assert found["prefixed"]["headers"]["client-request-id"] == "batch-1"
    assert len({item["headers"]["request-id"] for item in found.values()} | {response.headers["request-id"]}) == 7
    page = found["list"]["body"]
    assert found["list"]["status"] == 200 and page["@odata.count"] == 5 and len(page["value"]) == 2
    assert set(page["value"][0]) == {"id", "displayName"}
    next_page = requests.get(page["@odata.nextLink"], headers=user.headers, timeout=30)
    assert next_page.status_code == 200 and len(next_page.json()["value"]) == 2
    assert urlsplit(page["@odata.nextLink"]).path == "/api/me/profile/skills"


def test_401_for_each_request_without_a_valid_token(module_api: Api, module_identity: Identity) -> None:
    batch = {"requests": [create(), {"id": "read", "method": "GET", "url": "/me/profile"}]}
    expired = module_identity.mint(exp=1_000_000_000, iat=999_999_000, nbf=999_999_000)
    for token in (None, expired):
        found = answers(send(module_api, token, batch))
        for item in found.values():
            envelope(item, 401, "InvalidAuthenticationToken")
            assert item["headers"]["WWW-Authenticate"].startswith("Bearer ")
    # A token in the query string is refused as on a direct call, for the whole batch.
    user = new_user(module_identity)
    query = module_api.request("POST", f"$batch?access_token={user.token}", data=json.dumps(batch), headers=JSON)
    assert query.status_code == 401 and user.token not in query.text


def test_403_404_405_for_each_request_as_for_direct_calls(module_api: Api, module_identity: Identity) -> None:
    reader = new_user(module_identity, scopes="User.Read")
    other = new_user(module_identity)
    found = answers(
        send(
            module_api,
            reader.token,
            {
                "requests": [
                    create("write"),
                    {"id": "read", "method": "GET", "url": "/me/profile/skills"},
                    {"id": "theirs", "method": "GET", "url": f"/users/{other.oid}/profile/skills"},
                    {"id": "missing", "method": "GET", "url": f"/me/profile/skills/{MISSING}"},
                    {"id": "nowhere", "method": "GET", "url": "/me/profile/nothing"},
                    {"id": "put", "method": "PUT", "url": "/me/profile"},
                ]
            },
        )
    )
    denied = envelope(found["write"], 403, "accessDenied")
    assert "insufficient_scope" in found["write"]["headers"]["WWW-Authenticate"] and denied["message"]
    envelope(found["theirs"], 403, "accessDenied")
    assert found["read"]["status"] == 200 and found["read"]["body"]["value"] == []
    envelope(found["missing"], 404, "itemNotFound")
    envelope(found["nowhere"], 404, "itemNotFound")
    envelope(found["put"], 405, "methodNotAllowed")
    assert found["put"]["headers"]["Allow"] == "DELETE, GET, POST"


def test_412_and_if_match_as_for_direct_calls(module_api: Api, user: User) -> None:
    api = module_api
    made = api.request("POST", "me/profile/skills", user.token, json=SKILL)
    facet_id, etag = made.json()["id"], made.headers["ETag"]
    path = f"/me/profile/skills/{facet_id}"
    found = answers(
        send(
            api,
            user.token,
            {
                "requests": [
                    {
                        "id": "stale",
                        "method": "PATCH",
                        "url": path,
                        "body": {"proficiency": "fullProfessional"},
                        "headers": {"Content-Type": "application/json", "If-Match": '"stale"'},
                    },
                    {"id": "bad", "method": "DELETE", "url": path, "headers": {"If-Match": ""}},
                    {
                        "id": "fresh",
                        "method": "PATCH",
                        "url": path,
                        "body": {"proficiency": "advancedProfessional"},
                        "headers": {"Content-Type": "application/json", "If-Match": etag},
                    },
                    {"id": "old", "method": "DELETE", "url": path, "headers": {"If-Match": etag}},
                ]
            },
        )
    )
    envelope(found["stale"], 412, "resourceModified")
    envelope(found["bad"], 400, "invalidRequest")
    assert found["fresh"]["status"] == 200 and found["fresh"]["body"]["proficiency"] == "advancedProfessional"
    assert found["fresh"]["headers"]["ETag"] != etag
    envelope(found["old"], 412, "resourceModified")
    current = api.request("GET", f"me/profile/skills/{facet_id}", user.token)
    assert current.json()["proficiency"] == "advancedProfessional"
    assert current.headers["ETag"] == found["fresh"]["headers"]["ETag"]


def test_424_when_a_dependency_failed_and_the_dependent_never_runs(module_api: Api, user: User) -> None:
    found = answers(
        send(
            module_api,
            user.token,
            {
                "requests": [
                    {"id": "missing", "method": "GET", "url": f"/me/profile/skills/{MISSING}"},
                    create("after missing", dependsOn=["missing"]),
                    create("after that", depends_on=["AFTER MISSING"]),  # msgraph-core's spelling; ids ignore case
                    create("independent"),
                    create("after independent", dependsOn=["independent"], body={"displayName": "Rust"}),
                    create("refused", body={"proficiency": "nope"}),
                    {
                        "id": "after refused",
                        "method": "DELETE",
                        "url": f"/me/profile/skills/{MISSING}",
                        "dependsOn": ["independent", "refused"],
                    },
                ]
            },
        )
    )
    envelope(found["missing"], 404, "itemNotFound")
    first = envelope(found["after missing"], 424, "failedDependency")
    assert "'missing'" in first["message"]
    envelope(found["after that"], 424, "failedDependency")
    assert found["independent"]["status"] == 201 and found["after independent"]["status"] == 201
    envelope(found["refused"], 400, "invalidRequest")
    envelope(found["after refused"], 424, "failedDependency")
    assert sorted(facet["displayName"] for facet in skills(module_api, user)) == ["Python", "Rust"]


def test_a_request_with_its_own_authorization_or_an_oversized_body_is_refused_alone(
    module_api: Api,
    user: User,
    module_identity: Identity,
) -> None:
    someone = new_user(module_identity, scopes="User.ReadWrite.All")
    big = {**SKILL, "displayName": "x" * 70_000}  # over MAX_BODY_BYTES (64 KiB), inside the batch's limit
    found = answers(
        send(
            module_api,
            user.token,
            {
                "requests": [
                    create("impersonating", headers={"Authorization": f"Bearer {someone.token}"}),
                    create("big", body=big),
                    create("fine"),
                ]
            },
        )
    )
    assert "Authorization" in envelope(found["impersonating"], 400, "invalidRequest")["message"]
    envelope(found["big"], 413, "requestTooLarge")
    assert found["fine"]["status"] == 201
    assert [facet["id"] for facet in skills(module_api, user)] == [found["fine"]["body"]["id"]]
    assert module_api.request("GET", "me/profile/skills", someone.token).json()["value"] == []


def test_idempotency_key_in_a_batch_replays_the_original(module_api: Api, user: User) -> None:
    batch = {"requests": [create("once", headers={"Idempotency-Key": "batch-key-1"})]}
    first = answers(send(module_api, user.token, batch))["once"]
    again = answers(send(module_api, user.token, batch))["once"]
    assert first["status"] == again["status"] == 201
    assert again["body"]["id"] == first["body"]["id"]
    reused = answers(
        send(
            module_api,
            user.token,
            {"requests": [create("other", body={"displayName": "Else"}, headers={"Idempotency-Key": "batch-key-1"})]},
        )
    )["other"]
    envelope(reused, 422, "unprocessableEntity")
    assert len(skills(module_api, user)) == 1


def test_twenty_creates_across_the_collections_read_back_as_direct_calls(module_api: Api, user: User) -> None:
    """A full batch: one create per collection (cycling when there are fewer than 20), full bodies."""
    chosen = [FACET_TYPES[n % len(FACET_TYPES)] for n in range(20)]
    batch = {"requests": [create(f"c{n}", ft.collection, full_body(ft)) for n, ft in enumerate(chosen)]}
    found = answers(send(module_api, user.token, batch))
    assert list(found) == [f"c{n}" for n in range(20)]
    for n, facet_type in enumerate(chosen):
        item = found[f"c{n}"]
        assert item["status"] == 201, (facet_type.collection, item)
        location = item["headers"]["Location"]
        assert location.startswith(f"{module_api.url}/users/{user.oid}/profile/{facet_type.collection}/")
        direct = requests.get(location, headers=user.headers, timeout=30)
        assert direct.status_code == 200 and direct.json() == item["body"], facet_type.collection
        assert direct.headers["ETag"] == item["headers"]["ETag"]


# --- the JS Graph client ----------------------------------------------------------------------------------


def run_js_client(api: Api, writer: User, reader: User) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not GRAPH_CLIENT.is_dir():
        reason = "node or @microsoft/microsoft-graph-client missing (run `npm ci`)"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    parts = urlsplit(api.url)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "API_ORIGIN": f"{parts.scheme}://{parts.netloc}",
        "API_PREFIX": parts.path.strip("/"),
        "TOKEN": writer.token,
        "READER_TOKEN": reader.token,
    }
    result = subprocess.run(
        [node, str(JS_CLIENT)],
        cwd=Path(PROJECT_ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_js_graph_clients_batch(module_api: Api, module_identity: Identity) -> None:
    writer = new_user(module_identity)
    reader = new_user(module_identity, scopes="User.Read")
    results = run_js_client(module_api, writer, reader)

    created = results["created"]
    assert created["sent"]["requests"][0]["url"] == "/api/me/profile/skills"  # the client's form of the URL
    answer = created["responses"]
    assert answer["create"]["status"] == 201
    facet = answer["create"]["body"]
    assert facet["displayName"] == "JS client" and facet["proficiency"] == "expert"
    assert answer["create"]["headers"]["location"].endswith(f"/users/{writer.oid}/profile/skills/{facet['id']}")
    assert answer["create"]["headers"]["client-request-id"] == "js-create-1"
    assert answer["list"]["status"] == 200 and answer["list"]["body"]["@odata.count"] == 1
    assert answer["list"]["body"]["value"][0]["id"] == facet["id"]
    assert answer["missing"]["status"] == 404 and answer["missing"]["body"]["error"]["code"] == "itemNotFound"

    conditional = results["conditional"]["responses"]
    assert conditional["stale"]["status"] == 412
    assert conditional["stale"]["body"]["error"]["code"] == "resourceModified"
    assert conditional["fresh"]["status"] == 200
    assert conditional["fresh"]["body"]["proficiency"] == "advancedProfessional"
    assert conditional["fresh"]["headers"]["etag"] != answer["create"]["headers"]["etag"]
    assert conditional["selected"]["status"] == 200
    assert conditional["selected"]["body"]["proficiency"] == "advancedProfessional"
    assert conditional["selected"]["headers"]["client-request-id"] == "js-select-1"

    chain = results["chain"]["responses"]
    assert [chain[key]["status"] for key in ("gone", "delete", "after")] == [404, 424, 424]
    assert chain["delete"]["body"]["error"]["code"] == "failedDependency"
    kept = module_api.request("GET", f"me/profile/skills/{facet['id']}", writer.token)
    assert kept.status_code == 200  # the DELETE never ran

    reader_answer = results["reader"]["responses"]
    assert reader_answer["write"]["status"] == 403 and reader_answer["read"]["status"] == 200
    assert "insufficient_scope" in reader_answer["write"]["headers"]["www-authenticate"]
    anonymous = results["anonymous"]["responses"]["read"]
    assert anonymous["status"] == 401 and anonymous["body"]["error"]["code"] == "InvalidAuthenticationToken"


def test_batch_ids_are_the_clients_own(module_api: Api, user: User) -> None:
    """Any id of 1-256 characters comes back as written (a GUID, as msgraph-core makes them; any text)."""
    ids = [str(uuid.uuid4()), "é 1", "x" * 256]
    found = answers(
        send(
            module_api,
            user.token,
            {"requests": [{"id": request_id, "method": "GET", "url": "/me/profile"} for request_id in ids]},
        )
    )
    assert list(found) == ids and all(item["status"] == 200 for item in found.values())
