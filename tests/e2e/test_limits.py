"""Bounds on the work one request can cause, end to end over real HTTP, real tokens, on both stores.

1. `$filter`: the hostile-testing finding (100 skills of maximal hard-to-fold strings, then a filter of
   as many clauses as 2,000 characters hold) is refused with 400 before it runs, or answered correctly;
   an ordinary filter over the same collection still finds the right facet.
2. The per-user storage ceiling: a create or update that would grow a user's facets past it is 507
   `quotaLimitReached` in Graph's envelope, and nothing is written.
3. Bounded responses: lists and expanded collections page by items and bytes; every page is within
   MAX_RESPONSE_BYTES, next links (`@odata.nextLink`, `{collection}@odata.nextLink`) return the rest,
   `Prefer: odata.maxpagesize` is honoured and reported with `Preference-Applied`.
4. Under load: 8 clients sending the costliest filters and 4 sending `$expand=*` over a profile as
   large as the defaults admit leave another user's `GET me/profile` answering 200 (no 503 anywhere,
   every answer correct), on both stores, bounded in time.

Per store, one host with the default settings (`module_api`) and one with small limits (`small_api`)
serve the module; every test works on users of its own.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.e2e.conftest import STORES, Api, User, new_user, store_host
from tests.support.identity import Identity

pytestmark = pytest.mark.long_running

#: U+FB03 case-folds to three characters: the costliest string to fold.
LIGATURE = "\ufb03"
#: As many equality tests inside `any` as the longest accepted `$filter` (2,000 characters) holds.
RED_TEAM_FILTER = "categories/any(c:" + " or ".join(["c eq 'z'"] * 165) + ")"


def member(number: int, index: int) -> str:
    """A distinct string of 256 characters, nearly all U+FB03 (so no two share a fold)."""
    return LIGATURE * 254 + chr(0x4E00 + number) + chr(0x4E00 + index)


def maximal_skill(number: int) -> dict[str, Any]:
    return {"displayName": f"skill {number}", "categories": [member(number, index) for index in range(50)]}


def create_all(api: Api, user: User, collection: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST every body (4 at a time); each must be 201."""

    def post(body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode()  # UTF-8 as clients send it: 3 bytes per U+FB03
        response = api.request(
            "POST", f"me/profile/{collection}", user.token, data=data, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 201, response.text[:300]
        return response.json()

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(post, bodies))


#: The response bound and the storage ceiling of the small-limits host.
SMALL_RESPONSE = 65_536
SMALL_CEILING = 262_144
SMALL_LIMITS = {"MAX_RESPONSE_BYTES": str(SMALL_RESPONSE), "MAX_STORED_BYTES_PER_USER": str(SMALL_CEILING)}


@pytest.fixture(scope="module", params=STORES)
def small_api(
    request: pytest.FixtureRequest, module_identity: Identity, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """A host per store whose limits are small enough to reach with a few facets."""
    store: str = request.param
    with store_host(request, module_identity, store, tmp_path_factory.mktemp("limits"), SMALL_LIMITS) as host:
        yield Api(host, store)


@pytest.fixture
def owner(module_identity: Identity) -> User:
    return new_user(module_identity)


def get(url: str, user: User, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.get(url, headers={**user.headers, **(headers or {})}, timeout=60)
    assert response.status_code == 200, response.text[:300]
    return response


def walk(
    api: Api, user: User, path: str, headers: dict[str, str] | None = None, max_pages: int = 200
) -> list[requests.Response]:
    """Every page of a list, following `@odata.nextLink` (bounded)."""
    pages = [get(f"{api.url}/{path}", user, headers)]
    for _ in range(max_pages):
        link = pages[-1].json().get("@odata.nextLink")
        if link is None:
            return pages
        pages.append(get(link, user, headers))
    raise AssertionError("the walk did not end")


#: A skill of about 10 KB on the wire.
BIG_SKILL = {"displayName": "big", "categories": ["c" * 200] * 50}


# --- 1. $filter cost ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def red_team(module_api: Api, module_identity: Identity) -> tuple[User, list[dict[str, Any]]]:
    """A user with the hostile-testing collection: 100 skills of 50 maximal hard-to-fold categories."""
    user = new_user(module_identity)
    return user, create_all(module_api, user, "skills", [maximal_skill(number) for number in range(100)])


def accepted_filter(number: int, index: int) -> str:
    """A filter the service runs over the red-team collection; it selects exactly facet `number`."""
    return f"categories/any(c: c eq '{member(number, index).upper()}')"


def test_the_red_team_filter_over_100_maximal_skills_is_refused_or_correct(
    module_api: Api, red_team: tuple[User, list[dict[str, Any]]]
) -> None:
    assert len(RED_TEAM_FILTER) <= 2000
    owner, created = red_team

    response = module_api.request(
        "GET", "me/profile/skills", owner.token, params={"$filter": RED_TEAM_FILTER, "$select": "id"}
    )
    if response.status_code == 400:
        error = response.json()["error"]
        assert error["code"] == "invalidRequest"
        assert "$filter" in error["message"] and "too much work" in error["message"]
    else:
        assert response.status_code == 200, response.text[:300]
        assert response.json()["value"] == []  # no member is 'z'

    # An ordinary filter over the same collection runs, and finds exactly the facet it names (any case).
    wanted = created[42]
    found = module_api.request(
        "GET", "me/profile/skills", owner.token, params={"$filter": accepted_filter(42, 7), "$select": "id"}
    )
    assert found.status_code == 200, found.text[:300]
    assert [item["id"] for item in found.json()["value"]] == [wanted["id"]]


# --- 2. storage ceiling ---------------------------------------------------------------------------


def test_writes_past_the_storage_ceiling_are_507_and_write_nothing(small_api: Api, owner: User) -> None:
    statuses = []
    for _ in range(40):  # bounded: 40 x ~10 KB is far past the ceiling
        response = small_api.request("POST", "me/profile/skills", owner.token, json=BIG_SKILL)
        statuses.append(response.status_code)
        if response.status_code != 201:
            break
    assert statuses[-1] == 507 and set(statuses[:-1]) == {201}, statuses
    error = response.json()["error"]
    assert error["code"] == "quotaLimitReached" and f"{SMALL_CEILING:,} bytes" in error["message"]
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    kept = walk(small_api, owner, "me/profile/skills")
    ids = [item["id"] for page in kept for item in page.json()["value"]]
    assert len(ids) == len(statuses) - 1
    # Another collection counts against the same ceiling; a smaller facet may still fit.
    other = small_api.request("POST", "me/profile/interests", owner.token, json=BIG_SKILL)
    assert other.status_code == 507
    # An update that grows a facet is refused the same way and leaves it as it was; one that shrinks passes.
    target = f"me/profile/skills/{ids[0]}"
    before = small_api.request("GET", target, owner.token)
    grown = small_api.request("PATCH", target, owner.token, json={"collaborationTags": ["t" * 250] * 50})
    assert grown.status_code == 507 and grown.json()["error"]["code"] == "quotaLimitReached"
    after = small_api.request("GET", target, owner.token)
    assert after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"]
    shrunk = small_api.request("PATCH", target, owner.token, json={"categories": ["c"]})
    assert shrunk.status_code == 200
    # Deleting makes room again.
    assert small_api.request("DELETE", f"me/profile/skills/{ids[1]}", owner.token).status_code == 204
    assert small_api.request("POST", "me/profile/skills", owner.token, json=BIG_SKILL).status_code == 201


# --- 3. bounded responses -------------------------------------------------------------------------


def test_a_list_pages_within_the_response_bound_and_its_links_return_everything(small_api: Api, owner: User) -> None:
    made = [item["id"] for item in create_all(small_api, owner, "skills", [BIG_SKILL] * 15)]
    pages = walk(small_api, owner, "me/profile/skills")
    assert len(pages) > 1 and all(len(page.content) <= SMALL_RESPONSE for page in pages)
    assert all(page.json()["value"] for page in pages)
    assert sorted(item["id"] for page in pages for item in page.json()["value"]) == sorted(made)
    assert len({item["id"] for page in pages for item in page.json()["value"]}) == len(made)


def test_prefer_maxpagesize_is_honoured_and_reported(small_api: Api, owner: User) -> None:
    made = [item["id"] for item in create_all(small_api, owner, "interests", [{"displayName": "x"}] * 7)]
    prefer = {"Prefer": "odata.maxpagesize=3"}
    pages = walk(small_api, owner, "me/profile/interests", prefer)
    assert [len(page.json()["value"]) for page in pages] == [3, 3, 1]
    assert all(page.headers["Preference-Applied"] == "odata.maxpagesize=3" for page in pages)
    assert sorted(item["id"] for page in pages for item in page.json()["value"]) == sorted(made)
    plain = get(f"{small_api.url}/me/profile/interests", owner)
    assert "Preference-Applied" not in plain.headers and len(plain.json()["value"]) == 7


def test_an_expanded_collection_pages_within_the_bound_with_its_own_next_link(small_api: Api, owner: User) -> None:
    skills = [item["id"] for item in create_all(small_api, owner, "skills", [BIG_SKILL] * 12)]
    names = [item["id"] for item in create_all(small_api, owner, "names", [{"first": "Adele"}] * 2)]
    response = get(f"{small_api.url}/me/profile?$expand=skills($select=displayName,categories),names", owner)
    assert len(response.content) <= SMALL_RESPONSE
    body = response.json()
    assert sorted(item["id"] for item in body["names"]) == sorted(names) and "names@odata.nextLink" not in body
    link = body["skills@odata.nextLink"]
    assert urlsplit(link).path.endswith("/api/me/profile/skills")
    assert parse_qs(urlsplit(link).query)["$select"] == ["displayName,categories"]
    seen = [item["id"] for item in body["skills"]]
    for _ in range(len(skills)):  # bounded
        page = get(link, owner).json()
        assert len(page["value"]) and all(set(item) == {"id", "displayName", "categories"} for item in page["value"])
        seen += [item["id"] for item in page["value"]]
        link = page.get("@odata.nextLink")
        if link is None:
            break
    assert link is None and sorted(seen) == sorted(skills) and len(set(seen)) == len(skills)


# --- 4. under load --------------------------------------------------------------------------------

#: Collections whose create bodies can be the largest; the load test fills them up to the defaults.
LARGE = ("positions", "projects", "educationalActivities")
#: Per collection: about 130 bodies of ~60 KB in all, within the default per-user storage.
LARGE_COUNT = 43
#: No request of the load test may take longer than this (a client timeout: the bound of the test).
LOAD_TIMEOUT_S = 30.0
PROBE_TIMEOUT_S = 10.0


@pytest.fixture(scope="module")
def expand_user(module_api: Api, module_identity: Identity) -> User:
    """A user whose profile is as large as the default limits admit, in the collections with the largest bodies."""
    from benchmarks.limits import sized_body
    from shared.facets.catalog import by_collection

    user = new_user(module_identity)
    for collection in LARGE:
        facet_type = by_collection(collection)
        assert facet_type is not None
        create_all(module_api, user, collection, [sized_body(facet_type, 60_000, "x")] * LARGE_COUNT)
    return user


class Load:
    """The load test's clients; every answer that is not what it must be is recorded in `failures`."""

    def __init__(self, api: Api, filterer: User, created: list[dict[str, Any]], expander: User) -> None:
        self.api, self.filterer, self.created, self.expander = api, filterer, created, expander
        self.failures: list[str] = []

    def skills(self, text: str) -> requests.Response:
        return requests.get(
            f"{self.api.url}/me/profile/skills",
            headers=self.filterer.headers,
            params={"$filter": text, "$select": "id"},
            timeout=LOAD_TIMEOUT_S,
        )

    def filters(self, worker: int) -> None:
        """The red-team filter (400, or no match) and an accepted filter over the same collection (its one facet)."""
        for round_number in range(4):
            refused = self.skills(RED_TEAM_FILTER)
            if refused.status_code != 400 and (refused.status_code != 200 or refused.json()["value"]):
                self.failures.append(f"red-team filter: {refused.status_code} {refused.text[:200]}")
            number = (worker * 4 + round_number) % len(self.created)
            found = self.skills(accepted_filter(number, 3))
            wanted = [self.created[number]["id"]]
            if found.status_code != 200 or [item["id"] for item in found.json()["value"]] != wanted:
                self.failures.append(f"accepted filter: {found.status_code} {found.text[:200]}")

    def expands(self) -> None:
        for _ in range(3):
            response = requests.get(
                f"{self.api.url}/me/profile?$expand=*", headers=self.expander.headers, timeout=LOAD_TIMEOUT_S
            )
            if response.status_code != 200 or len(response.content) > 4 * 1024 * 1024:
                self.failures.append(f"$expand=*: {response.status_code} {len(response.content)} {response.text[:200]}")
            elif not all(response.json()[name] for name in LARGE):
                self.failures.append("$expand=*: a full collection came back empty")


def test_costly_filters_and_expands_leave_another_user_responsive_and_never_503(
    module_api: Api, module_identity: Identity, red_team: tuple[User, list[dict[str, Any]]], expand_user: User
) -> None:
    load = Load(module_api, *red_team, expand_user)
    bystander = new_user(module_identity)
    profile_id = get(f"{module_api.url}/me/profile", bystander).json()["id"]
    done = threading.Event()
    probes: list[int] = []

    def probe() -> None:
        while not done.is_set() and len(probes) < 1000:  # bounded
            response = requests.get(f"{module_api.url}/me/profile", headers=bystander.headers, timeout=PROBE_TIMEOUT_S)
            probes.append(response.status_code)
            if response.status_code != 200 or response.json()["id"] != profile_id:
                load.failures.append(f"bystander: {response.status_code} {response.text[:200]}")
            time.sleep(0.05)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        with ThreadPoolExecutor(12) as pool:
            loads = [pool.submit(load.filters, worker) for worker in range(8)]
            loads += [pool.submit(load.expands) for _ in range(4)]
            for submitted in loads:
                submitted.result()
    finally:
        done.set()
        prober.join(PROBE_TIMEOUT_S + 5)
    assert not load.failures, load.failures[:5]
    assert probes and set(probes) == {200}
