"""The per-user storage ceiling through the functions: a create or an update that would grow the user's
facets past MAX_STORED_BYTES_PER_USER is 507 `quotaLimitReached` in Graph's envelope, and writes nothing."""

from __future__ import annotations

import pytest

from shared import composition
from tests.functions.helpers import create, created, get_facet, listed, patch_facet
from tests.support.app import body_of

CEILING = 65_536
#: A skill of about 10 KB stored.
BIG = {"displayName": "big", "categories": ["c" * 200] * 50}


@pytest.fixture
def small_ceiling(monkeypatch):
    monkeypatch.setenv("MAX_STORED_BYTES_PER_USER", str(CEILING))
    composition.reset()


def assert_507(response) -> None:
    assert response.status_code == 507, response.get_body()
    error = body_of(response)["error"]
    assert error["code"] == "quotaLimitReached"
    assert f"{CEILING:,} bytes" in error["message"] and "Delete or shorten facets" in error["message"]
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}


def test_creates_stop_at_the_ceiling_across_collections_with_507_and_nothing_written(invoke, identity, small_ceiling):
    token = identity.mint()
    statuses = [create(invoke, token, "skills", BIG).status_code for _ in range(5)]
    statuses += [
        create(invoke, token, "interests", {"displayName": "x", "categories": ["c" * 200] * 50}).status_code
        for _ in range(5)
    ]
    assert statuses.count(201) == 6 and set(statuses) == {201, 507}  # 64 KiB holds six of about 10 KB
    kept = len(listed(invoke, token, "skills")) + len(listed(invoke, token, "interests"))
    assert kept == 6
    refused = create(invoke, token, "skills", BIG)
    assert_507(refused)
    assert len(listed(invoke, token, "skills")) + len(listed(invoke, token, "interests")) == kept


def test_an_update_that_grows_past_the_ceiling_is_507_and_one_that_shrinks_passes(invoke, identity, small_ceiling):
    token = identity.mint()
    first, etag = created(invoke, token, "skills", BIG)
    for _ in range(4):
        created(invoke, token, "skills", BIG)
    grown = patch_facet(invoke, token, "skills", first["id"], {"collaborationTags": ["t" * 250] * 50})
    assert_507(grown)
    unchanged = get_facet(invoke, token, "skills", first["id"])
    assert unchanged.headers["ETag"] == etag and body_of(unchanged)["collaborationTags"] is None
    shrunk = patch_facet(invoke, token, "skills", first["id"], {"categories": ["c"]})
    assert shrunk.status_code == 200, shrunk.get_body()


def test_the_default_ceiling_leaves_room_for_ordinary_profiles(invoke, identity):
    token = identity.mint()
    assert all(create(invoke, token, "skills", BIG).status_code == 201 for _ in range(20))
