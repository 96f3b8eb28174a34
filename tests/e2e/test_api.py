"""End to end: real HTTP through the local host, real RS256 tokens, real stores (sqlite and cosmos)."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.identity import TEST_OID, TEST_UPN
from tests.support.localhost import PROJECT_ROOT

SEED_WITH_COMMA = '{\n  "allowedAudiences": "organization",\n  "countryCode": "NO",\n}'
SEED = {"allowedAudiences": "organization", "countryCode": "NO"}
JSON = {"Content-Type": "application/json"}


def test_seed_examples(api, identity):
    token = identity.mint()
    created = api.request("POST", "me/profile", token)
    assert created.status_code == 201, created.text
    assert created.json()["@odata.type"] == "#microsoft.graph.profile"
    assert created.headers["Location"] == f"{api.url}/users/{TEST_OID}/profile"

    account = api.request("POST", "me/profile/account", token, json=SEED)
    assert account.status_code == 201, account.text
    body = account.json()
    assert body["allowedAudiences"] == "organization" and body["countryCode"] == "NO"
    assert body["userPrincipalName"] == TEST_UPN and body["createdBy"]["user"]["id"] == TEST_OID
    assert account.headers["Content-Type"].startswith("application/json")
    assert account.headers["request-id"] and account.headers["client-request-id"] == account.headers["request-id"]
    assert not {"pk", "_etag", "_rid", "_self", "_ts", "tenantId", "type", "sortKey"} & set(body)

    verbatim = api.request("POST", "me/profile/account", token, data=SEED_WITH_COMMA, headers=JSON)
    assert verbatim.status_code == 400
    assert "line 3, column 22" in verbatim.json()["error"]["message"]


def test_full_surface_walkthrough(api, identity):
    token = identity.mint()
    created = api.request("POST", "me/profile/account", token, json=SEED).json()
    got = api.request("GET", f"me/profile/account/{created['id']}", token)
    assert got.status_code == 200 and got.json() == created
    patched = api.request("PATCH", f"me/profile/account/{created['id']}", token, json={"countryCode": "SE"},
                          headers={"If-Match": got.headers["ETag"]})
    assert patched.status_code == 200 and patched.json()["countryCode"] == "SE"
    stale = api.request("PATCH", f"me/profile/account/{created['id']}", token, json={"countryCode": "DK"},
                        headers={"If-Match": got.headers["ETag"]})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "resourceModified"
    listed = api.request("GET", "me/profile/account", token)
    assert [item["id"] for item in listed.json()["value"]] == [created["id"]]
    assert api.request("DELETE", f"me/profile/account/{created['id']}", token).status_code == 204
    assert api.request("DELETE", "me/profile", token).status_code == 204
    assert api.request("GET", "me/profile", token).status_code == 404


def test_paging_follows_next_links(api, identity):
    token = identity.mint()
    ids = [api.request("POST", "me/profile/account", token, json=SEED).json()["id"] for _ in range(5)]
    seen, url = [], f"{api.url}/me/profile/account?$top=2"
    while url:
        page = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
        seen += [item["id"] for item in page["value"]]
        url = page.get("@odata.nextLink")
    assert seen == ids


def test_routes_match_case_insensitively_and_upns_url_decoded(api, identity):
    token = identity.mint()
    assert api.request("POST", "ME/Profile/Account", token, json=SEED).status_code == 201
    encoded = TEST_UPN.replace("@", "%40")
    response = api.request("POST", f"users/{encoded}/profile/account", token, json=SEED)
    assert response.status_code == 201, response.text


def test_token_in_query_string_is_never_accepted(api, identity):
    token = identity.mint()
    response = api.request("POST", f"me/profile/account?access_token={token}", json=SEED)
    assert response.status_code == 401
    assert token not in response.text
    assert token not in api.host.output()


def test_concurrent_creates_respect_the_quota_and_lose_nothing(api, identity):
    token = identity.mint()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: api.request("POST", "me/profile/account", token, json=SEED).status_code, range(24)))
    assert statuses.count(201) == 24
    listed = api.request("GET", "me/profile/account", token).json()["value"]
    assert len(listed) == 24 and len({item["id"] for item in listed}) == 24


def test_concurrent_patches_with_one_etag_let_exactly_one_win(api, identity):
    token = identity.mint()
    created = api.request("POST", "me/profile/account", token, json=SEED)
    etag, account_id = created.headers["ETag"], created.json()["id"]
    countries = ["SE", "DK", "FI", "DE", "FR", "IT", "ES", "PT"]

    def patch(country):
        return api.request("PATCH", f"me/profile/account/{account_id}", token, json={"countryCode": country},
                           headers={"If-Match": etag}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(patch, countries))
    assert sorted(statuses) == [200] + [412] * 7


def test_concurrent_patches_without_if_match_all_land(api, identity):
    token = identity.mint()
    account_id = api.request("POST", "me/profile/account", token, json=SEED).json()["id"]
    bodies = [{"countryCode": "SE"}, {"isSearchable": True}, {"source": {"type": "User"}}, {"allowedAudiences": "everyone"}]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda b: api.request("PATCH", f"me/profile/account/{account_id}", token, json=b).status_code, bodies))
    assert statuses == [200] * 4
    final = api.request("GET", f"me/profile/account/{account_id}", token).json()
    assert (final["countryCode"], final["isSearchable"], final["source"], final["allowedAudiences"]) == ("SE", True, {"type": "User"}, "everyone")


def test_concurrent_idempotent_posts_create_exactly_one(api, identity):
    token = identity.mint()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(
            lambda _: api.request("POST", "me/profile/account", token, json=SEED, headers={"Idempotency-Key": "same"}), range(8)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert len(api.request("GET", "me/profile/account", token).json()["value"]) == 1


def test_oversized_header_and_body_never_give_500(api, identity):
    big = api.request("POST", "me/profile/account", headers={"Authorization": "Bearer " + "a" * 300_000, **JSON}, data="{}")
    assert big.status_code in (400, 401, 413, 431)
    body = api.request("POST", "me/profile/account", identity.mint(), data=b"{" + b" " * 3_000_000, headers=JSON)
    assert body.status_code == 413


def test_data_survives_a_restart(sqlite_api, identity):
    token = identity.mint()
    created = sqlite_api.request("POST", "me/profile/account", token, json=SEED).json()
    sqlite_api.host.restart()
    again = sqlite_api.request("GET", f"me/profile/account/{created['id']}", token)
    assert again.status_code == 200 and again.json() == created
    assert sqlite_api.request("POST", "me/profile", token).status_code == 409


def test_make_run_and_make_token_flow_with_the_development_issuer(dev_api):
    env = {**os.environ, "PORT": str(dev_api.host.port), "USER": "megan.bowen@contoso.dev", "NAME": "Megan Bowen"}
    env.pop("SCOPES", None), env.pop("ROLES", None), env.pop("ENTRA_TENANT_ID", None)
    token = subprocess.run([sys.executable, "scripts/dev_token.py"], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    assert dev_api.request("POST", "me/profile", token).status_code == 201
    created = dev_api.request("POST", "me/profile/account", token, json=SEED)
    assert created.status_code == 201, created.text
    assert created.json()["userPrincipalName"] == "megan.bowen@contoso.dev"
    app_env = {**env, "SCOPES": "", "ROLES": "User.ReadWrite.All"}
    app_token = subprocess.run([sys.executable, "scripts/dev_token.py"], cwd=PROJECT_ROOT, env=app_env,
                               capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    oid = created.headers["Location"].split("/users/")[1].split("/")[0]
    assert dev_api.request("GET", f"users/{oid}/profile/account", app_token).json()["value"][0]["id"] == created.json()["id"]
    assert dev_api.request("POST", "me/profile/account", app_token, json=SEED).status_code == 400
