"""Bounded responses through the functions: lists and expanded collections page by items and bytes,
`Prefer: odata.maxpagesize` is honoured with `Preference-Applied`, and next links continue the walk."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from shared import composition
from tests.functions.helpers import call_profile, created, function, path
from tests.support.app import body_of

BOUND = 65_536
#: A skill of about 10 KB on the wire.
BIG = {"displayName": "big", "categories": ["c" * 200] * 50}


@pytest.fixture
def small_responses(monkeypatch):
    monkeypatch.setenv("MAX_RESPONSE_BYTES", str(BOUND))
    composition.reset()


def list_facets(invoke, token, collection, params=None, headers=None):
    return invoke(
        function(collection, "list"), "GET", path(collection), token=token, params=params or {}, headers=headers or {}
    )


def follow(invoke, token, link, headers=None):
    """GET a next link through the list function of the collection it names."""
    parts = urlsplit(link)
    collection = parts.path.rsplit("/", 1)[-1]
    return list_facets(invoke, token, collection, dict(parse_qsl(parts.query)), headers)


def walk(invoke, token, collection, headers=None):
    response = list_facets(invoke, token, collection, headers=headers)
    pages = []
    while True:
        assert response.status_code == 200, response.get_body()
        pages.append(response)
        link = body_of(response).get("@odata.nextLink")
        if link is None:
            return pages
        response = follow(invoke, token, link, headers)


def test_a_list_stops_at_max_response_bytes_and_its_next_links_return_the_rest(invoke, identity, small_responses):
    token = identity.mint()
    ids = [created(invoke, token, "skills", BIG)[0]["id"] for _ in range(12)]
    pages = walk(invoke, token, "skills")
    assert all(len(page.get_body()) <= BOUND for page in pages)
    assert len(pages) > 1 and all(body_of(page)["value"] for page in pages)
    assert [item["id"] for page in pages for item in body_of(page)["value"]] == ids


def test_prefer_maxpagesize_is_honoured_and_reported(invoke, identity):
    token = identity.mint()
    ids = [created(invoke, token, "skills", {"displayName": str(n)})[0]["id"] for n in range(5)]
    pages = walk(invoke, token, "skills", headers={"Prefer": "odata.maxpagesize=2"})
    assert [len(body_of(page)["value"]) for page in pages] == [2, 2, 1]
    assert all(page.headers["Preference-Applied"] == "odata.maxpagesize=2" for page in pages)
    assert [item["id"] for page in pages for item in body_of(page)["value"]] == ids
    plain = list_facets(invoke, token, "skills")
    assert "Preference-Applied" not in plain.headers and len(body_of(plain)["value"]) == 5
    ignored = list_facets(invoke, token, "skills", headers={"Prefer": "odata.maxpagesize=none"})
    assert "Preference-Applied" not in ignored.headers and len(body_of(ignored)["value"]) == 5


def test_an_expanded_collection_pages_with_its_own_next_link(invoke, identity, small_responses):
    token = identity.mint()
    skills = [created(invoke, token, "skills", BIG)[0]["id"] for _ in range(8)]
    name = created(invoke, token, "names", {"first": "Adele"})[0]["id"]
    response = call_profile(invoke, "GET", token, params={"$expand": "skills($select=displayName,categories),names"})
    assert response.status_code == 200 and len(response.get_body()) <= BOUND
    body = body_of(response)
    assert [item["id"] for item in body["names"]] == [name] and "names@odata.nextLink" not in body
    first = [item["id"] for item in body["skills"]]
    assert first == skills[: len(first)] and 0 < len(first) < len(skills)
    link = body["skills@odata.nextLink"]
    assert urlsplit(link).path == "/api/me/profile/skills"
    assert dict(parse_qsl(urlsplit(link).query))["$select"] == "displayName,categories"
    rest = []
    while link:
        page = follow(invoke, token, link)
        assert page.status_code == 200, page.get_body()
        rest += [item["id"] for item in body_of(page)["value"]]
        assert set(body_of(page)["value"][0]) == {"id", "displayName", "categories"}
        link = body_of(page).get("@odata.nextLink")
    assert first + rest == skills


def test_prefer_maxpagesize_applies_to_each_expanded_collection(invoke, identity):
    token = identity.mint()
    for n in range(3):
        created(invoke, token, "skills", {"displayName": str(n)})
        created(invoke, token, "interests", {"displayName": str(n)})
    response = call_profile(
        invoke, "GET", token, params={"$expand": "skills,interests,patents"}, headers={"Prefer": "odata.maxpagesize=1"}
    )
    body = body_of(response)
    assert response.headers["Preference-Applied"] == "odata.maxpagesize=1"
    assert len(body["skills"]) == len(body["interests"]) == 1 and body["patents"] == []
    assert "skills@odata.nextLink" in body and "interests@odata.nextLink" in body
    assert "patents@odata.nextLink" not in body
    plain = call_profile(invoke, "GET", token, params={"$expand": "skills"})
    assert "Preference-Applied" not in plain.headers and len(body_of(plain)["skills"]) == 3
    assert "skills@odata.nextLink" not in body_of(plain)
