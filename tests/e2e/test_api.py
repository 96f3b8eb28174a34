"""End to end: real HTTP through the local host, real RS256 tokens, real stores (sqlite and cosmos).

One host per store serves the module (`module_api`); every test works on users of its own (`new_user`).
The restart and `make run` tests start hosts of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Api, User, new_user
from tests.support.identity import TEST_OID, Identity
from tests.support.localhost import PROJECT_ROOT

SEED_WITH_COMMA = '{\n  "allowedAudiences": "organization",\n  "countryCode": "NO",\n}'
SEED = {"allowedAudiences": "organization", "countryCode": "NO"}
SKILL = {
    "displayName": "Python",
    "proficiency": "expert",
    "categories": ["Programming"],
    "allowedAudiences": "organization",
}
#: A facet body per collection these tests walk through, and a PATCH that changes it.
BODIES: dict[str, dict[str, Any]] = {"account": SEED, "skills": SKILL}
CHANGES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "account": ({"countryCode": "SE"}, {"countryCode": "DK"}),
    "skills": ({"proficiency": "advancedProfessional"}, {"displayName": "Rust"}),
}
COLLECTIONS = tuple(BODIES)
JSON = {"Content-Type": "application/json"}
STORAGE_FIELDS = {"pk", "_etag", "_rid", "_self", "_ts", "_attachments", "tenantId", "tenant", "type", "sortKey"}


@pytest.fixture
def user(module_identity: Identity) -> User:
    return new_user(module_identity)


def context_of(api: Api, oid: str, suffix: str) -> str:
    return f"{api.url}/$metadata#users('{oid}')/{suffix}"


def list_all(api: Api, user: User, collection: str) -> list[dict[str, Any]]:
    """Every item of a collection, following next links (bounded)."""
    items: list[dict[str, Any]] = []
    url: str | None = f"{api.url}/me/profile/{collection}"
    for _ in range(50):
        if url is None:
            return items
        response = requests.get(url, headers=user.headers, timeout=30)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["value"]
        url = page.get("@odata.nextLink")
    raise AssertionError("more than 50 pages")


def test_seed_examples_and_the_implicit_profile(module_api: Api, user: User) -> None:
    before = module_api.request("GET", "me/profile", user.token)
    assert before.status_code == 200, before.text
    profile_id = before.json()["id"]
    assert before.json()["@odata.type"] == "#microsoft.graph.profile"

    created = module_api.request("POST", "me/profile", user.token)
    assert created.status_code == 201, created.text
    assert created.json()["@odata.type"] == "#microsoft.graph.profile"
    assert created.json()["id"] == profile_id
    assert created.headers["Location"] == f"{module_api.url}/users/{user.oid}/profile"
    again = module_api.request("POST", "me/profile", user.token)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert module_api.request("GET", f"users/{user.oid}/profile", user.token).json()["id"] == profile_id

    account = module_api.request("POST", "me/profile/account", user.token, json=SEED)
    assert account.status_code == 201, account.text
    body = account.json()
    assert body["allowedAudiences"] == "organization" and body["countryCode"] == "NO"
    assert body["userPrincipalName"] == user.upn
    assert body["createdBy"]["user"] == {"id": user.oid, "displayName": user.name}
    assert body["@odata.context"] == context_of(module_api, user.oid, "profile/account/$entity")
    assert account.headers["Location"] == f"{module_api.url}/users/{user.oid}/profile/account/{body['id']}"
    assert account.headers["Content-Type"].startswith("application/json")
    assert account.headers["request-id"] and account.headers["client-request-id"] == account.headers["request-id"]
    assert not STORAGE_FIELDS & set(body)

    verbatim = module_api.request("POST", "me/profile/account", user.token, data=SEED_WITH_COMMA, headers=JSON)
    assert verbatim.status_code == 400
    assert "line 3, column 22" in verbatim.json()["error"]["message"]


def test_source_is_a_list_and_the_older_single_string_is_accepted(module_api: Api, user: User) -> None:
    for collection, body in BODIES.items():
        old = module_api.request(
            "POST", f"me/profile/{collection}", user.token, json={**body, "source": {"type": "User"}}
        )
        assert old.status_code == 201, old.text
        assert old.json()["source"] == {"type": ["User"]}
        new = module_api.request(
            "POST", f"me/profile/{collection}", user.token, json={**body, "source": {"type": ["User", "Import"]}}
        )
        assert new.status_code == 201, new.text
        assert new.json()["source"] == {"type": ["User", "Import"]}
        read = module_api.request("GET", f"me/profile/{collection}/{old.json()['id']}", user.token)
        assert read.json()["source"] == {"type": ["User"]}
        assert not STORAGE_FIELDS & set(read.json())


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_full_surface_walkthrough(module_api: Api, user: User, collection: str) -> None:
    api, token = module_api, user.token
    profile_id = api.request("GET", "me/profile", token).json()["id"]
    created = api.request("POST", f"me/profile/{collection}", token, json=BODIES[collection]).json()
    got = api.request("GET", f"me/profile/{collection}/{created['id']}", token)
    assert got.status_code == 200 and got.json() == created
    first, second = CHANGES[collection]
    patched = api.request(
        "PATCH",
        f"me/profile/{collection}/{created['id']}",
        token,
        json=first,
        headers={"If-Match": got.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    assert {k: patched.json()[k] for k in first} == first
    assert patched.headers["ETag"] != got.headers["ETag"]
    stale = api.request(
        "PATCH",
        f"me/profile/{collection}/{created['id']}",
        token,
        json=second,
        headers={"If-Match": got.headers["ETag"]},
    )
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "resourceModified"
    listed = api.request("GET", f"me/profile/{collection}", token)
    assert listed.json()["@odata.context"] == context_of(api, user.oid, f"profile/{collection}")
    assert [item["id"] for item in listed.json()["value"]] == [created["id"]]
    assert listed.json()["value"][0] == {k: v for k, v in patched.json().items() if k != "@odata.context"}

    deleted = api.request("DELETE", f"me/profile/{collection}/{created['id']}", token)
    assert deleted.status_code == 204 and deleted.content == b""
    assert api.request("GET", f"me/profile/{collection}/{created['id']}", token).status_code == 404

    kept = [api.request("POST", f"me/profile/{name}", token, json=body).json()["id"] for name, body in BODIES.items()]
    assert api.request("DELETE", "me/profile", token).status_code == 204
    after = api.request("GET", "me/profile", token)
    assert after.status_code == 200 and after.json()["id"] == profile_id
    for name, facet_id in zip(BODIES, kept, strict=True):
        assert api.request("GET", f"me/profile/{name}", token).json()["value"] == []
        assert api.request("GET", f"me/profile/{name}/{facet_id}", token).status_code == 404
    assert api.request("POST", "me/profile", token).status_code == 201  # the stored profile went too


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("top", ["$top", "top"])
def test_paging_follows_next_links(module_api: Api, user: User, collection: str, top: str) -> None:
    ids = [
        module_api.request("POST", f"me/profile/{collection}", user.token, json=BODIES[collection]).json()["id"]
        for _ in range(5)
    ]
    seen: list[str] = []
    url: str | None = f"{module_api.url}/me/profile/{collection}?{top}=2"
    pages = 0
    while url and pages < 10:
        page = requests.get(url, headers=user.headers, timeout=30).json()
        assert page["@odata.context"] == context_of(module_api, user.oid, f"profile/{collection}")
        assert 1 <= len(page["value"]) <= 2
        seen += [item["id"] for item in page["value"]]
        url, pages = page.get("@odata.nextLink"), pages + 1
    assert seen == ids and pages == 3


def test_routes_match_case_insensitively_and_upns_url_decoded(module_api: Api, user: User) -> None:
    api = module_api
    assert api.request("GET", "ME/Profile", user.token).status_code == 200
    assert api.request("POST", "ME/Profile/Account", user.token, json=SEED).status_code == 201
    assert api.request("POST", "me/PROFILE/SKILLS", user.token, json=SKILL).status_code == 201
    encoded = user.upn.replace("@", "%40")
    for path in (f"users/{encoded}/profile/account", f"users/{encoded.upper()}/Profile/Account"):
        response = api.request("POST", path, user.token, json=SEED)
        assert response.status_code == 201, response.text
        assert response.headers["Location"].startswith(f"{api.url}/users/{user.oid}/profile/account/")
    skill = api.request("POST", f"Users/{encoded}/profile/skills", user.token, json=SKILL)
    assert skill.status_code == 201, skill.text
    assert len(api.request("GET", f"users/{user.oid}/profile/account", user.token).json()["value"]) == 3
    by_upn = api.request("GET", f"users/{encoded}/profile", user.token)
    own = api.request("GET", "me/profile", user.token).json()["id"]
    assert by_upn.status_code == 200 and by_upn.json()["id"] == own


def test_token_in_query_string_is_never_accepted(module_api: Api, user: User) -> None:
    for path in ("me/profile/account", "me/profile/skills"):
        response = module_api.request("POST", f"{path}?access_token={user.token}", json=SEED)
        assert response.status_code == 401
        assert user.token not in response.text
    read = module_api.request("GET", f"me/profile?access_token={user.token}")
    assert read.status_code == 401
    assert user.token not in module_api.host.output()


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_concurrent_creates_lose_nothing(module_api: Api, user: User, collection: str) -> None:
    """Every 201 is stored; contention may only ever be a 503 with Retry-After (never 500 or 409)."""

    def post(_: int) -> tuple[int, str, str | None]:
        with module_api.request("POST", f"me/profile/{collection}", user.token, json=BODIES[collection]) as response:
            return response.status_code, response.headers.get("Retry-After", ""), response.json().get("id")

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(post, range(24)))
    statuses = [status for status, _, _ in outcomes]
    assert set(statuses) <= {201, 503}, statuses
    assert all(retry_after.isdigit() for status, retry_after, _ in outcomes if status == 503)
    assert statuses.count(201) >= 1
    created = {facet_id for status, _, facet_id in outcomes if status == 201}
    listed = list_all(module_api, user, collection)
    assert {item["id"] for item in listed} == created and len(listed) == statuses.count(201)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_concurrent_patches_with_one_etag_let_exactly_one_win(module_api: Api, user: User, collection: str) -> None:
    created = module_api.request("POST", f"me/profile/{collection}", user.token, json=BODIES[collection])
    etag, facet_id = created.headers["ETag"], created.json()["id"]
    audiences = [
        "me",
        "family",
        "contacts",
        "groupMembers",
        "organization",
        "federatedOrganizations",
        "everyone",
        "family,contacts",
    ]
    start = threading.Barrier(len(audiences), timeout=30)

    def patch(audience: str) -> int:
        start.wait()
        return module_api.request(
            "PATCH",
            f"me/profile/{collection}/{facet_id}",
            user.token,
            json={"allowedAudiences": audience},
            headers={"If-Match": etag},
        ).status_code

    with ThreadPoolExecutor(len(audiences)) as pool:
        statuses = list(pool.map(patch, audiences))
    assert sorted(statuses) == [200] + [412] * (len(audiences) - 1)


def test_concurrent_patches_without_if_match_all_land(module_api: Api, user: User) -> None:
    account_id = module_api.request("POST", "me/profile/account", user.token, json=SEED).json()["id"]
    bodies = [
        {"countryCode": "SE"},
        {"isSearchable": True},
        {"source": {"type": "User"}},
        {"allowedAudiences": "everyone"},
    ]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(
            pool.map(
                lambda b: (
                    module_api.request("PATCH", f"me/profile/account/{account_id}", user.token, json=b).status_code
                ),
                bodies,
            )
        )
    assert statuses == [200] * 4
    final = module_api.request("GET", f"me/profile/account/{account_id}", user.token).json()
    assert (final["countryCode"], final["isSearchable"], final["source"], final["allowedAudiences"]) == (
        "SE",
        True,
        {"type": ["User"]},
        "everyone",
    )


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_concurrent_idempotent_posts_create_exactly_one(module_api: Api, user: User, collection: str) -> None:
    def post(_: int) -> tuple[int, str]:
        with module_api.request(
            "POST", f"me/profile/{collection}", user.token, json=BODIES[collection], headers={"Idempotency-Key": "same"}
        ) as response:
            return response.status_code, response.text

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(post, range(8)))
    assert {status for status, _ in outcomes} == {201}, outcomes
    assert len({json.loads(text)["id"] for _, text in outcomes}) == 1
    assert len(list_all(module_api, user, collection)) == 1


def test_oversized_header_and_body_never_give_500(module_api: Api, user: User) -> None:
    big = module_api.request(
        "POST", "me/profile/account", headers={"Authorization": "Bearer " + "a" * 300_000, **JSON}, data="{}"
    )
    assert big.status_code in (400, 401, 413, 431)
    for collection in COLLECTIONS:
        body = module_api.request(
            "POST", f"me/profile/{collection}", user.token, data=b"{" + b" " * 3_000_000, headers=JSON
        )
        assert body.status_code == 413 and body.json()["error"]["code"] == "requestTooLarge"
        assert list_all(module_api, user, collection) == []


def test_data_survives_a_restart(sqlite_api: Api, identity: Identity) -> None:
    token = identity.mint()
    profile_id = sqlite_api.request("GET", "me/profile", token).json()["id"]
    created = {
        name: sqlite_api.request("POST", f"me/profile/{name}", token, json=body).json() for name, body in BODIES.items()
    }
    sqlite_api.host.restart()
    for name, facet in created.items():
        again = sqlite_api.request("GET", f"me/profile/{name}/{facet['id']}", token)
        assert again.status_code == 200 and again.json() == facet
    assert sqlite_api.request("GET", "me/profile", token).json()["id"] == profile_id
    assert sqlite_api.request("POST", "me/profile", token).status_code == 409  # a facet's create stored it
    assert sqlite_api.request("GET", f"users/{TEST_OID}/profile", token).json()["id"] == profile_id


def test_make_run_and_make_token_flow_with_the_development_issuer(dev_api: Api) -> None:
    env = {**os.environ, "PORT": str(dev_api.host.port), "USER": "megan.bowen@contoso.dev", "NAME": "Megan Bowen"}
    env.pop("SCOPES", None), env.pop("ROLES", None), env.pop("ENTRA_TENANT_ID", None)
    token = subprocess.run(
        [sys.executable, "scripts/dev_token.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    profile = dev_api.request("GET", "me/profile", token)
    assert profile.status_code == 200, profile.text
    assert dev_api.request("POST", "me/profile", token).status_code == 201
    created = dev_api.request("POST", "me/profile/account", token, json=SEED)
    assert created.status_code == 201, created.text
    assert created.json()["userPrincipalName"] == "megan.bowen@contoso.dev"
    skill = dev_api.request("POST", "me/profile/skills", token, json=SKILL)
    assert skill.status_code == 201, skill.text
    app_env = {**env, "SCOPES": "", "ROLES": "User.ReadWrite.All"}
    app_token = subprocess.run(
        [sys.executable, "scripts/dev_token.py"],
        cwd=PROJECT_ROOT,
        env=app_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    oid = created.headers["Location"].split("/users/")[1].split("/")[0]
    for collection, facet in (("account", created), ("skills", skill)):
        listed = dev_api.request("GET", f"users/{oid}/profile/{collection}", app_token).json()["value"]
        assert [item["id"] for item in listed] == [facet.json()["id"]]
    assert dev_api.request("GET", f"users/{oid}/profile", app_token).json()["id"] == profile.json()["id"]
    on_me = dev_api.request("POST", "me/profile/account", app_token, json=SEED)
    assert (on_me.status_code, on_me.json()["error"]["code"]) == (400, "BadRequest")
