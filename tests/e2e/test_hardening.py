"""Hostile-testing findings, end to end: each one over real HTTP, real tokens, on both stores.

One host per store serves the module (`module_api`); every test works on users of its own.

1. Paging tokens reveal nothing about facets the reader may not see, and are bound to the caller,
   the target user, the collection and the query.
2. An empty, blank or malformed If-Match is 400 (an empty one once bypassed the precondition).
3. Huge or non-ASCII numbers in query options are 400, never 500 (int() refuses over 4,300 digits).
4. Concurrent PATCHes without If-Match of different properties lose no update.
5. A burst of concurrent creates: no 500 or 409, every 201 stored, contention only as 503 + Retry-After.
7. A body of thousands of unknown properties gets a small 400 (details capped, the count in the message).
Also: no Content-Type on a 204, Graph's envelope from the catch-all, the implicit profile's stable id.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import http.client
import json
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.e2e.conftest import Api, User, new_user
from tests.support.identity import Identity

pytestmark = pytest.mark.long_running

SKILL = {"displayName": "Python", "proficiency": "expert", "categories": ["Programming"]}
ACCOUNT = {"countryCode": "NO"}
BODIES = {"account": ACCOUNT, "skills": SKILL}
GUID_LENGTH = 36
#: How long any load loop below may keep issuing requests (a bound, never asserted on).
LOAD_BUDGET_S = 120.0


@pytest.fixture
def owner(module_identity: Identity) -> User:
    return new_user(module_identity)


def reader_of(identity: Identity) -> User:
    """A delegated caller who may read other users' shared facets only."""
    return new_user(identity, "User.Read.All")


def create(api: Api, user: User, collection: str, **values: Any) -> dict[str, Any]:
    response = api.request("POST", f"me/profile/{collection}", user.token, json={**BODIES[collection], **values})
    assert response.status_code == 201, response.text
    return response.json()


def get_json(url: str, user: User) -> requests.Response:
    return requests.get(url, headers=user.headers, timeout=30)


def skiptoken_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["$skiptoken"][0]


def with_params(api: Api, path: str, params: dict[str, str]) -> str:
    return f"{api.url}/{path}?{urlencode(params)}"


def raw_request(
    api: Api, method: str, path: str, headers: list[tuple[str, str]], body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """One request written with http.client, so header values are sent exactly as given (blank ones too)."""
    url = urlsplit(api.url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        connection.putrequest(method, f"{url.path}/{path}", skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# --- 1. paging tokens -----------------------------------------------------------------------------


def decodings(token: str) -> Iterator[bytes]:
    """Everything `token` could decode to: base64 and base64url, any padding, any alignment, inflated too."""
    yield token.encode()
    for text in (token, token.replace("-", "+").replace("_", "/"), token.replace("+", "-").replace("/", "_")):
        for start in range(4):
            for padding in range(4):
                candidate = text[start:] + "=" * padding
                for decode in (base64.urlsafe_b64decode, base64.standard_b64decode, base64.b64decode):
                    try:
                        raw = decode(candidate)
                    except (binascii.Error, ValueError):
                        continue
                    yield raw
                    with contextlib.suppress(zlib.error):
                        yield zlib.decompress(raw)


def needles(facet: dict[str, Any]) -> list[bytes]:
    """Ways a facet's id or creation time could appear in a token."""
    facet_id = uuid.UUID(facet["id"])
    created = facet["createdDateTime"]
    texts = {facet["id"], facet_id.hex, created, created[:19], created.rstrip("Z")}
    found = [text.encode() for text in texts] + [text.encode("utf-16-le") for text in texts]
    return [*found, facet_id.bytes, facet_id.bytes_le]


def assert_opaque(tokens: list[str], facets: list[dict[str, Any]]) -> None:
    """No decoding of any token contains any facet's id or creation time."""
    forbidden = [needle for facet in facets for needle in needles(facet)]
    for token in tokens:
        for blob in decodings(token):
            leaked = [needle for needle in forbidden if needle in blob]
            assert not leaked, f"the token {token!r} reveals {leaked!r}"


def status_of(link: str, who: User) -> int:
    """The status of a GET (a 400 must be Graph's invalidRequest)."""
    response = get_json(link, who)
    if response.status_code == 400:
        assert response.json()["error"]["code"] == "invalidRequest"
    return response.status_code


@pytest.mark.parametrize("collection", ["account", "skills"])
def test_paging_tokens_reveal_no_hidden_facet_and_are_bound_to_caller_user_and_query(
    module_api: Api, module_identity: Identity, owner: User, collection: str
) -> None:
    api = module_api
    # The victim's first facet is visible only to them; others are shared with the organization.
    audiences = ["me", "organization", "organization", "me", "organization", "organization", "me"]
    facets = [create(api, owner, collection, allowedAudiences=audience) for audience in audiences]
    hidden = [f for f, a in zip(facets, audiences, strict=True) if a == "me"]
    shared = [f["id"] for f, a in zip(facets, audiences, strict=True) if a != "me"]
    reader = reader_of(module_identity)
    path = f"users/{owner.oid}/profile/{collection}"

    seen: list[str] = []
    tokens: list[str] = []
    links: list[str] = []
    url: str | None = with_params(api, path, {"$top": "1", "$count": "true"})
    for _ in range(len(facets) + 2):  # bounded: a leak or a loop shows as too many pages
        if url is None:
            break
        response = get_json(url, reader)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["@odata.count"] == len(shared)  # no page counts hidden facets
        assert len(page["value"]) == 1  # no empty page with a next link, no page of a hidden facet
        seen += [item["id"] for item in page["value"]]
        url = page.get("@odata.nextLink")
        if url is not None:
            links.append(url)
            tokens.append(skiptoken_of(url))
    assert url is None
    assert seen == shared

    assert_opaque(tokens, facets)
    assert all(facet["id"] not in " ".join(links) for facet in hidden)

    first = links[0]
    token = tokens[0]
    assert status_of(first, reader) == 200  # the control: the untouched link works

    # Tampering with any one character is 400 (not the last: its low bits may be padding).
    for index in (0, 1, len(token) // 2, len(token) - 2):
        replacement = "A" if token[index] != "A" else "B"
        tampered = token[:index] + replacement + token[index + 1 :]
        assert status_of(first.replace(token, tampered), reader) == 400, index
    assert status_of(first.replace(token, token[:-4]), reader) == 400
    assert status_of(first.replace(token, token + "AAAA"), reader) == 400

    # Another caller (a reader like the first; the owner, who sees every facet) → 400.
    assert status_of(first, reader_of(module_identity)) == 400
    assert status_of(first, owner) == 400
    # The owner's own token is no good to the reader either.
    own = get_json(with_params(api, path, {"$top": "1"}), owner).json()["@odata.nextLink"]
    assert status_of(own, reader) == 400

    # Another target user (who has shared facets of the same collection) → 400.
    other = new_user(module_identity)
    for _ in range(3):
        create(api, other, collection, allowedAudiences="organization")
    assert status_of(first.replace(owner.oid, other.oid), reader) == 400

    # Another collection → 400.
    other_collection = "skills" if collection == "account" else "account"
    create(api, owner, other_collection, allowedAudiences="organization")
    create(api, owner, other_collection, allowedAudiences="organization")
    assert status_of(first.replace(f"/profile/{collection}", f"/profile/{other_collection}"), reader) == 400

    # Other options → 400: $filter, $orderby, $select, $top.
    for extra in (
        {"$filter": "id ne 'x'"},
        {"$orderby": "createdDateTime desc"},
        {"$orderby": "id"},
        {"$select": "id"},
        {"$select": "id,createdDateTime"},
        {"$top": "2"},
    ):
        options = {"$top": "1", "$count": "true", **extra}
        assert status_of(with_params(api, path, options), reader) == 200, extra  # the options alone are fine
        assert status_of(with_params(api, path, {**options, "$skiptoken": token}), reader) == 400, extra
    assert status_of(first, reader) == 200


# --- 2. If-Match ----------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", ["account", "skills"])
def test_if_match_empty_blank_or_garbage_is_400_and_writes_nothing(
    module_api: Api, owner: User, collection: str
) -> None:
    api = module_api
    facet_id = create(api, owner, collection)["id"]
    before = api.request("GET", f"me/profile/{collection}/{facet_id}", owner.token)
    stale = before.headers["ETag"]
    change = {"allowedAudiences": "organization"} if collection == "account" else {"displayName": "Go"}
    changed = api.request("PATCH", f"me/profile/{collection}/{facet_id}", owner.token, json=change)
    assert changed.status_code == 200 and changed.headers["ETag"] != stale
    current = api.request("GET", f"me/profile/{collection}/{facet_id}", owner.token)
    attempt = json.dumps({"allowedAudiences": "everyone", "isSearchable": True}).encode()

    def send(method: str, if_match: str) -> tuple[int, dict[str, Any]]:
        headers = [("Authorization", f"Bearer {owner.token}"), ("If-Match", if_match)]
        body = b""
        if method == "PATCH":
            headers.append(("Content-Type", "application/json"))
            body = attempt
        status, _, data = raw_request(api, method, f"me/profile/{collection}/{facet_id}", headers, body)
        return status, json.loads(data) if data else {}

    def unchanged() -> None:
        again = api.request("GET", f"me/profile/{collection}/{facet_id}", owner.token)
        assert again.status_code == 200
        assert again.json() == current.json() and again.headers["ETag"] == current.headers["ETag"]

    for method in ("PATCH", "DELETE"):
        for value in ("", " ", "   ", "\t"):
            status, body = send(method, value)
            assert status == 400, (method, repr(value), body)
            assert body["error"]["code"] == "invalidRequest"
            unchanged()
        for value in ("abc", '"abc', "W/", '"a" "b"', "**", '*, "a"', ",", '"a",,'):
            status, body = send(method, value)
            assert status == 400, (method, repr(value), body)
            unchanged()
        for value in (stale, f"W/{current.headers['ETag']}", f'{stale}, "nope"'):
            status, body = send(method, value)
            assert status == 412, (method, value, body)
            assert body["error"]["code"] == "resourceModified"
            unchanged()
    # requests drops no empty header either: the same through an ordinary client.
    empty = api.request(
        "PATCH",
        f"me/profile/{collection}/{facet_id}",
        owner.token,
        json={"isSearchable": True},
        headers={"If-Match": ""},
    )
    assert empty.status_code == 400
    unchanged()

    status, body = send("PATCH", "*")
    assert status == 200 and body["allowedAudiences"] == "everyone" and body["isSearchable"] is True
    status, _ = send("DELETE", "*")
    assert status == 204
    assert api.request("GET", f"me/profile/{collection}/{facet_id}", owner.token).status_code == 404


# --- 3. huge and non-ASCII numbers ----------------------------------------------------------------

HUGE = ["9" * 4301, "1" * 5000, "1" * 1999, "1" + "0" * 4300]
#: Arabic-Indic, fullwidth, Bengali and mathematical digits (str.isdigit says yes; int() takes some),
#: superscript two (isdigit says yes, int() raises).
FOREIGN = ["\u0661\u0660", "\uff11\uff10", "\u09e7", "\U0001d7d9", "\u00b2", "1\u0661"]
NUMBER_FILTERS = [
    "inference/confidenceScore gt {}",
    "inference/confidenceScore eq {}.5",
    "inference/confidenceScore lt -{}",
    "inference/confidenceScore ge 1e{}",
]
DATE_FILTERS = [
    "createdDateTime gt {}-01-01T00:00:00Z",
    "createdDateTime gt 2020-01-01T00:00:00.{}Z",
    "createdDateTime lt 2020-01-01T{}:00:00Z",
    "lastModifiedDateTime le 2020-01-{}T00:00:00Z",
]


def number_cases() -> Iterator[tuple[str, str]]:
    for option in ("$top", "top", "$skip", "skip", "$count", "count"):
        for value in HUGE + FOREIGN:
            yield option, value
    for template in NUMBER_FILTERS + DATE_FILTERS:
        for value in HUGE + FOREIGN:
            yield "$filter", template.format(value)
    for value in ("\u0662\u0660\u0662\u0660", "\uff12\uff10\uff12\uff10"):
        yield "$filter", f"createdDateTime gt {value}-01-01T00:00:00Z"
    yield "filter", "inference/confidenceScore gt \u0661"


def test_huge_and_non_ascii_numbers_are_400_never_500(module_api: Api, owner: User) -> None:
    create(module_api, owner, "skills", inference={"confidenceScore": 1.5, "userHasVerifiedAccuracy": True})
    failures = []
    for option, value in number_cases():
        response = requests.get(
            with_params(module_api, "me/profile/skills", {option: value}), headers=owner.headers, timeout=30
        )
        canonical = "$" + option.lstrip("$")
        if response.status_code != 400:
            failures.append((option, value[:40], response.status_code, response.text[:200]))
        elif canonical not in response.json()["error"]["message"]:
            failures.append((option, value[:40], "message does not name the option", response.text[:200]))
    assert not failures, failures
    expand = module_api.request("GET", f"me/profile?$expand=skills($top={'9' * 4301})", owner.token)
    assert expand.status_code == 400


# --- 4. concurrent PATCHes without If-Match ------------------------------------------------------

PROFICIENCIES = ["elementary", "limitedWorking", "generalProfessional", "advancedProfessional", "expert"]
AUDIENCES = ["organization", "everyone", "contacts", "family,contacts", "federatedOrganizations", "groupMembers"]
LANGUAGES = ["en-US", "nb-NO", "fr-FR", "de-DE", "sv-SE"]
COUNTRIES = ["SE", "DK", "FI", "DE", "FR", "IT", "ES", "PT", "NL"]


def skill_writes(round_number: int) -> list[dict[str, Any]]:
    r = round_number
    return [
        {"displayName": f"Skill {r}"},
        {"webUrl": f"https://contoso.com/skills/{r}"},
        {"proficiency": PROFICIENCIES[r % len(PROFICIENCIES)]},
        {"categories": [f"category-{r}", "shared"]},
        {"thumbnailUrl": f"https://contoso.com/thumbnails/{r}.png"},
        {"allowedAudiences": AUDIENCES[r % len(AUDIENCES)]},
    ]


def account_writes(round_number: int) -> list[dict[str, Any]]:
    r = round_number
    return [
        {"countryCode": COUNTRIES[r % len(COUNTRIES)]},
        {"preferredLanguageTag": {"locale": LANGUAGES[r % len(LANGUAGES)], "displayName": f"Language {r}"}},
        {"isSearchable": r % 2 == 0},
        {"allowedAudiences": AUDIENCES[r % len(AUDIENCES)]},
        {"source": {"type": [f"Source{r}"]}},
        {"inference": {"confidenceScore": r + 0.5, "userHasVerifiedAccuracy": r % 2 == 1}},
    ]


WRITES: dict[str, Callable[[int], list[dict[str, Any]]]] = {"skills": skill_writes, "account": account_writes}


@pytest.mark.parametrize(("collection", "rounds"), [("skills", 8), ("account", 4)])
def test_concurrent_patches_of_different_properties_lose_no_update(
    module_api: Api, owner: User, collection: str, rounds: int
) -> None:
    """6 PATCHes at once, each of another property, round after round: every one lands."""
    api = module_api
    facet_id = create(api, owner, collection)["id"]
    writes = WRITES[collection]
    width = len(writes(0))
    with ThreadPoolExecutor(width) as pool:
        for round_number in range(rounds):
            start = threading.Barrier(width, timeout=30)

            def patch(body: dict[str, Any], start: threading.Barrier = start) -> requests.Response:
                start.wait()
                return api.request("PATCH", f"me/profile/{collection}/{facet_id}", owner.token, json=body)

            bodies = writes(round_number)
            responses = list(pool.map(patch, bodies))
            assert [r.status_code for r in responses] == [200] * width, [r.text for r in responses]
            final = api.request("GET", f"me/profile/{collection}/{facet_id}", owner.token).json()
            written = {name: value for body in bodies for name, value in body.items()}
            lost = {name: (value, final[name]) for name, value in written.items() if final[name] != value}
            assert not lost, f"round {round_number}: lost updates (written, read back): {lost}"


# --- 5. concurrent-create burst -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a burst keeps of one response (a kept Response would keep its socket open: waitress stops
    accepting at 100 open connections)."""

    status: int
    retry_after: str | None
    code: str | None
    facet_id: str | None


def outcome(response: requests.Response) -> Outcome:
    with response:
        body = response.json() if response.content else {}
    error = body.get("error") or {}
    return Outcome(response.status_code, response.headers.get("Retry-After"), error.get("code"), body.get("id"))


def burst(
    api: Api, users: list[User], collection: str, threads: int = 16, per_thread: int = 10
) -> list[tuple[User, Outcome]]:
    """`threads` threads each creating up to `per_thread` facets (thread i for users[i % len(users)])."""
    deadline = time.monotonic() + LOAD_BUDGET_S
    start = threading.Barrier(threads, timeout=30)

    def work(index: int) -> list[tuple[User, Outcome]]:
        user = users[index % len(users)]
        done = []
        start.wait()
        for _ in range(per_thread):
            if time.monotonic() > deadline:
                break
            response = api.request("POST", f"me/profile/{collection}", user.token, json=BODIES[collection])
            done.append((user, outcome(response)))
        return done

    with ThreadPoolExecutor(threads) as pool:
        return [pair for chunk in pool.map(work, range(threads)) for pair in chunk]


def listed_ids(api: Api, user: User, collection: str) -> tuple[list[str], int]:
    """Every id of a collection (following next links, bounded) and the @odata.count of the first page."""
    ids: list[str] = []
    count = -1
    url: str | None = with_params(api, f"me/profile/{collection}", {"$count": "true"})
    for _ in range(20):
        if url is None:
            return ids, count
        response = get_json(url, user)
        assert response.status_code == 200, response.text
        page = response.json()
        count = page["@odata.count"] if count < 0 else count
        ids += [item["id"] for item in page["value"]]
        url = page.get("@odata.nextLink")
    raise AssertionError("more than 20 pages")


def check_burst(
    api: Api, results: list[tuple[User, Outcome]], users: list[User], collection: str, quota: int = 100
) -> None:
    statuses = [result.status for _, result in results]
    assert set(statuses) <= {201, 403, 503}, sorted(set(statuses))
    for _, result in results:
        if result.status == 503:
            assert (result.retry_after or "").isdigit() and result.code == "serviceNotAvailable", result
        if result.status == 403:
            assert result.code == "quotaLimitReached", result
    for user in users:
        mine = [result for who, result in results if who is user]
        created = [result.facet_id for result in mine if result.status == 201]
        assert created, f"no create succeeded for one user: {sorted({result.status for result in mine})}"
        assert len(set(created)) == len(created)
        ids, count = listed_ids(api, user, collection)
        assert sorted(ids) == sorted(created) and count == len(created)  # every 201 is stored, nothing else
        assert len(created) <= quota
        if any(result.status == 403 for result in mine):
            assert len(created) == quota  # refused only when full


def test_a_concurrent_create_burst_on_one_user_stores_every_201_and_keeps_the_quota(
    module_api: Api, owner: User
) -> None:
    results = burst(module_api, [owner], "skills")
    assert len(results) > 0
    check_burst(module_api, results, [owner], "skills")


def test_a_concurrent_create_burst_on_several_users_stores_every_201(
    module_api: Api, module_identity: Identity
) -> None:
    users = [new_user(module_identity) for _ in range(4)]
    results = burst(module_api, users, "account", per_thread=6)
    assert 403 not in {result.status for _, result in results}  # 24 each, under the quota
    check_burst(module_api, results, users, "account")


# --- 7. amplification -----------------------------------------------------------------------------


def test_thousands_of_unknown_properties_get_a_small_400(module_api: Api, owner: User) -> None:
    api = module_api
    body = ("{" + ",".join(f'"u{i:04d}":0' for i in range(6000)) + "}").encode()
    assert 55_000 < len(body) < 65_536
    existing = create(api, owner, "skills")
    for method, path in (
        ("POST", "me/profile/skills"),
        ("PATCH", f"me/profile/skills/{existing['id']}"),
        ("POST", "me/profile/account"),
    ):
        response = api.request(method, path, owner.token, data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, response.text[:300]
        assert len(response.content) < 8192
        error = response.json()["error"]
        assert error["code"] == "invalidRequest"
        assert 1 <= len(error["details"]) <= 20
        assert "6000" in error["message"]
        assert "u0000" in error["message"] or error["details"][0]["target"] == "u0000"
    assert [f["id"] for f in api.request("GET", "me/profile/skills", owner.token).json()["value"]] == [existing["id"]]
    assert api.request("GET", "me/profile/account", owner.token).json()["value"] == []
    again = api.request("GET", f"me/profile/skills/{existing['id']}", owner.token).json()
    assert again == existing


# --- also -----------------------------------------------------------------------------------------


def test_a_204_carries_no_content_type_or_body(module_api: Api, owner: User) -> None:
    api = module_api
    paths = [
        f"me/profile/skills/{create(api, owner, 'skills')['id']}",
        f"me/profile/account/{create(api, owner, 'account')['id']}",
        "me/profile",
        "me/profile",
    ]
    for path in paths:
        status, headers, data = raw_request(api, "DELETE", path, [("Authorization", f"Bearer {owner.token}")])
        assert status == 204, data
        assert "content-type" not in headers, headers
        assert data == b"" and headers.get("content-length", "0") == "0"
        assert headers["request-id"]


ROUTES = [
    ("GET", "nope", 404, None),
    ("GET", "me/profile/bogus", 404, None),
    ("GET", "me/profile/skills/{id}/more", 404, None),
    ("POST", "users", 404, None),
    ("PUT", "me/profile", 405, "DELETE, GET, POST"),
    ("PATCH", "users/{oid}/profile", 405, "DELETE, GET, POST"),
    ("PATCH", "me/profile/skills", 405, "GET, POST"),
    ("DELETE", "users/{oid}/profile/account", 405, "GET, POST"),
    ("POST", "me/profile/skills/{id}", 405, "DELETE, GET, PATCH"),
    ("PUT", "me/profile/account/{id}", 405, "DELETE, GET, PATCH"),
]


@pytest.mark.parametrize("with_token", [True, False])
def test_unknown_routes_and_methods_get_graphs_envelope(module_api: Api, owner: User, with_token: bool) -> None:
    facet_id = create(module_api, owner, "skills")["id"]
    for method, template, status, allow in ROUTES:
        path = template.format(id=facet_id, oid=owner.oid)
        client_id = str(uuid.uuid4())
        response = module_api.request(
            method, path, owner.token if with_token else None, headers={"client-request-id": client_id}
        )
        assert response.status_code == status, (method, path, response.text)
        assert response.headers["Content-Type"].startswith("application/json")
        error = response.json()["error"]
        assert error["code"] == ("itemNotFound" if status == 404 else "methodNotAllowed")
        assert uuid.UUID(response.headers["request-id"])
        assert error["innerError"]["request-id"] == response.headers["request-id"]
        assert response.headers["client-request-id"] == client_id == error["innerError"]["client-request-id"]
        if allow is not None:
            assert response.headers["Allow"] == allow
    assert module_api.request("GET", f"me/profile/skills/{facet_id}", owner.token).status_code == 200


def test_the_profile_of_a_never_seen_user_is_there_with_one_id_throughout(
    module_api: Api, module_identity: Identity
) -> None:
    api = module_api
    user = new_user(module_identity)  # never called the API
    reader = reader_of(module_identity)
    app = module_identity.mint_app(roles=["User.Read.All"])

    def ids() -> set[str]:
        seen = set()
        for token, path in (
            (reader.token, f"users/{user.oid}/profile"),
            (app, f"users/{user.oid}/profile"),
            (user.token, "me/profile"),
            (user.token, f"users/{user.oid}/profile"),
        ):
            response = api.request("GET", path, token)
            assert response.status_code == 200, response.text
            assert response.json()["@odata.type"] == "#microsoft.graph.profile"
            seen.add(response.json()["id"])
        return seen

    first = ids()
    assert len(first) == 1
    profile_id = first.pop()
    assert uuid.UUID(profile_id)
    assert api.request("GET", f"users/{user.oid}/profile?$select=id", reader.token).json()["id"] == profile_id
    assert ids() == {profile_id}
    created = api.request("POST", "me/profile", user.token)
    assert created.status_code == 201 and created.json()["id"] == profile_id
    assert ids() == {profile_id}
    assert api.request("DELETE", "me/profile", user.token).status_code == 204
    assert ids() == {profile_id}
    other = new_user(module_identity)
    assert api.request("GET", f"users/{other.oid}/profile", reader.token).json()["id"] != profile_id
    assert len(profile_id) == GUID_LENGTH
