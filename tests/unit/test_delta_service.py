"""The delta service (shared/services/delta.py) over a real SQLite file: rounds, pages, tokens, visibility."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from shared.auth import Principal
from shared.errors import BadRequest, Forbidden, SyncStateNotFound
from shared.facets.catalog import FACET_TYPES
from shared.facets.catalog.work import POSITIONS, SKILLS
from shared.models import DirectoryUser
from shared.repository.changes import RETENTION_S
from shared.repository.sqlite import SqliteRepository
from shared.services import delta
from shared.services.delta import DeltaOptions, Feed, parse_delta_options, run_round
from shared.services.users import Target
from tests.contract.helpers import facet, guid

KEY = b"k" * 32
TENANT = guid()


def person(oid: str | None = None, *scopes: str) -> Principal:
    return Principal(
        tenant_id=TENANT,
        object_id=oid or guid(),
        is_app=False,
        scopes=frozenset(scopes or {"User.ReadWrite"}),
        roles=frozenset(),
        app_id=guid(),
        app_display_name=None,
        upn=None,
        display_name="Test",
    )


def app(*roles: str) -> Principal:
    return Principal(
        tenant_id=TENANT,
        object_id=guid(),
        is_app=True,
        scopes=frozenset(),
        roles=frozenset(roles or {"User.Read.All"}),
        app_id=guid(),
        app_display_name="Indexer",
        upn=None,
        display_name=None,
    )


@pytest.fixture
def repo(tmp_path) -> Iterator[SqliteRepository]:
    store = SqliteRepository(str(tmp_path / "delta.sqlite3"))
    yield store
    store.close()


def target(oid: str, own: bool) -> Target:
    return Target(TENANT, oid, own, DirectoryUser(tenant_id=TENANT, object_id=oid))


def user_feed(oid: str, own: bool = True, types: tuple = (SKILLS,)) -> Feed:
    return Feed(TENANT, target(oid, own), types)


FIRST = DeltaOptions(None, None, None)


def walk(repo, principal, feed, options=FIRST, *, page_size=100, now=None):
    """Every page of a round: (items, the deltaLink token, pages)."""
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        kwargs = {"now": now} if now else {}
        page = run_round(repo, principal, feed, options, key=KEY, page_size=page_size, **kwargs)
        pages += 1
        assert (page.next_token is None) != (page.delta_token is None), "a nextLink or a deltaLink, never both"
        items.extend(page.items)
        if page.delta_token:
            return items, page.delta_token, pages
        assert page.items, "a page with a nextLink is never empty"
        options = DeltaOptions(None, page.next_token, None)


def add(repo, oid, facet_type=SKILLS, **values):
    return repo.add_facet(TENANT, oid, facet_type, facet(facet_type, **values), max_count=100).value


def following(token: str) -> DeltaOptions:
    return DeltaOptions(None, None, token)


# --- rounds ----------------------------------------------------------------------------------------
def test_a_first_round_then_only_what_changed(repo):
    oid = guid()
    me = person(oid)
    made = [add(repo, oid) for _ in range(5)]
    items, token, pages = walk(repo, me, user_feed(oid), page_size=2)
    assert pages == 3 and {item["id"] for item in items} == {item["id"] for item in made}
    assert all("@removed" not in item and "displayName" in item for item in items)
    nothing, token, _ = walk(repo, me, user_feed(oid), following(token))
    assert nothing == []
    repo.delete_facet(TENANT, oid, SKILLS, made[0]["id"], if_match=None)
    repo.replace_facet(TENANT, oid, SKILLS, {**made[1], "displayName": "changed"}, if_match=None)
    items, _, _ = walk(repo, me, user_feed(oid), following(token))
    assert items == [
        {"id": made[0]["id"], "@removed": {"reason": "deleted"}},
        {**items[1], "id": made[1]["id"], "displayName": "changed"},
    ]


def test_select_is_carried_by_the_tokens(repo):
    oid = guid()
    me = person(oid)
    for _ in range(3):
        add(repo, oid)
    options = parse_delta_options({"$select": "displayName"}, [SKILLS])
    page = run_round(repo, me, user_feed(oid), options, key=KEY, page_size=2)
    assert all(set(item) == {"id", "displayName"} for item in page.items)
    page = run_round(repo, me, user_feed(oid), DeltaOptions(None, page.next_token, None), key=KEY)
    assert all(set(item) == {"id", "displayName"} for item in page.items)
    add(repo, oid)
    items, _, _ = walk(repo, me, user_feed(oid), following(page.delta_token))
    assert len(items) == 1 and set(items[0]) == {"id", "displayName"}
    with pytest.raises(BadRequest, match=r"\$select cannot change"):
        run_round(repo, me, user_feed(oid), DeltaOptions(("proficiency",), None, page.delta_token), key=KEY)


def test_latest_gives_no_items_and_a_deltalink_from_now(repo):
    oid = guid()
    me = person(oid)
    add(repo, oid)
    page = run_round(repo, me, user_feed(oid), following("latest"), key=KEY)
    assert page.items == [] and page.next_token is None and page.delta_token
    new = add(repo, oid)
    items, _, _ = walk(repo, me, user_feed(oid), following(page.delta_token))
    assert [item["id"] for item in items] == [new["id"]]


def test_a_profile_delete_removes_every_facet(repo):
    oid = guid()
    me = person(oid)
    ids = {add(repo, oid, facet_type)["id"] for facet_type in (SKILLS, POSITIONS) for _ in range(2)}
    feed = user_feed(oid, types=tuple(FACET_TYPES))
    _, token, _ = walk(repo, me, feed)
    repo.delete_profile(TENANT, oid)
    items, _, _ = walk(repo, me, feed, following(token))
    assert {item["id"] for item in items} == ids
    assert all(item["@removed"] == {"reason": "deleted"} for item in items)


# --- visibility --------------------------------------------------------------------------------------
def test_audience_changes_are_delivered_to_another_reader(repo):
    oid = guid()
    reader = person(None, "User.Read.All")
    shared_one = add(repo, oid, allowedAudiences="organization")
    private_one = add(repo, oid, allowedAudiences="me")
    feed = user_feed(oid, own=False)
    items, token, _ = walk(repo, reader, feed)
    assert [item["id"] for item in items] == [shared_one["id"]]  # the first round shows what the reader may see
    repo.replace_facet(TENANT, oid, SKILLS, {**shared_one, "allowedAudiences": "me"}, if_match=None)
    repo.replace_facet(TENANT, oid, SKILLS, {**private_one, "allowedAudiences": "everyone"}, if_match=None)
    items, _, _ = walk(repo, reader, feed, following(token))
    assert items[0] == {"id": shared_one["id"], "@removed": {"reason": "changed"}}
    assert items[1]["id"] == private_one["id"] and items[1]["allowedAudiences"] == "everyone"


def test_the_first_round_of_another_reader_never_holds_hidden_items_even_on_a_page_of_its_own(repo):
    oid = guid()
    reader = person(None, "User.Read.All")
    for _ in range(3):
        add(repo, oid)  # "me": hidden from the reader
    items, _, pages = walk(repo, reader, user_feed(oid, own=False), page_size=2)
    assert items == [] and pages == 1  # one answer: the pages of hidden items are read on within it


# --- tenant-wide -----------------------------------------------------------------------------------
def test_tenant_wide_items_name_their_user_and_collection(repo):
    users = [guid(), guid()]
    made = {oid: add(repo, oid, allowedAudiences="organization") for oid in users}
    feed = Feed(TENANT, None, (SKILLS,))
    indexer = app()
    items, token, _ = walk(repo, indexer, feed)
    assert {item["@odata.id"] for item in items} == {
        f"users('{oid}')/profile/skills('{made[oid]['id']}')" for oid in users
    }
    repo.delete_facet(TENANT, users[0], SKILLS, made[users[0]]["id"], if_match=None)
    items, _, _ = walk(repo, indexer, feed, following(token))
    assert items == [
        {
            "@odata.id": f"users('{users[0]}')/profile/skills('{made[users[0]]['id']}')",
            "id": made[users[0]]["id"],
            "@removed": {"reason": "deleted"},
        }
    ]
    every = Feed(TENANT, None, tuple(FACET_TYPES))
    items, _, _ = walk(repo, app(), every)
    assert items and all(item["@odata.type"] == "#microsoft.graph.skillProficiency" for item in items)


def test_tenant_wide_reading_needs_a_dot_all_permission():
    delta.authorize_tenant_read(app("User.Read.All"))
    delta.authorize_tenant_read(person(None, "User.ReadBasic.All"))
    for principal in (app("User.Read"), person(None, "User.Read"), person(None, "User.ReadWrite")):
        with pytest.raises(Forbidden):
            delta.authorize_tenant_read(principal)


# --- tokens -----------------------------------------------------------------------------------------
def test_tokens_are_bound_and_sealed(repo):
    oid = guid()
    me = person(oid)
    for _ in range(3):
        add(repo, oid)
    first = run_round(repo, me, user_feed(oid), DeltaOptions(None, None, None), key=KEY, page_size=1)
    _, delta_token, _ = walk(repo, me, user_feed(oid))
    skip = first.next_token
    assert skip and delta_token

    def refused(principal, feed, options) -> str:
        with pytest.raises(BadRequest) as caught:
            run_round(repo, principal, feed, options, key=KEY)
        assert type(caught.value) is BadRequest
        return caught.value.message

    raw = bytearray(base64.urlsafe_b64decode(delta_token + "=" * (-len(delta_token) % 4)))
    raw[-1] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert refused(me, user_feed(oid), following(tampered)) == "The $deltatoken is not valid for this request."
    assert refused(me, user_feed(oid), following(delta_token[:-5])).startswith("The $deltatoken is not valid")
    assert refused(person(None), user_feed(oid, own=False), following(delta_token))  # another caller
    assert refused(me, user_feed(guid()), following(delta_token))  # another user
    assert refused(me, user_feed(oid, types=(POSITIONS,)), following(delta_token))  # another collection
    assert refused(me, Feed(TENANT, None, (SKILLS,)), following(delta_token))  # the tenant
    assert refused(me, user_feed(oid), following(skip)) == "The $deltatoken is not valid for this request."
    assert refused(me, user_feed(oid), DeltaOptions(None, delta_token, None)).startswith("The $skiptoken")
    assert refused(me, user_feed(oid), following("x" * 20_000)).startswith("The $deltatoken")


def test_a_token_past_the_retention_window_is_sync_state_not_found(repo):
    oid = guid()
    me = person(oid)
    add(repo, oid)
    _, token, _ = walk(repo, me, user_feed(oid))
    import time

    later = time.time() + RETENTION_S + 60
    with pytest.raises(SyncStateNotFound) as caught:
        run_round(repo, me, user_feed(oid), following(token), key=KEY, now=lambda: later)
    assert caught.value.code == "syncStateNotFound" and caught.value.status == 400
    assert caught.value.message == delta.SYNC_STATE_NOT_FOUND
    run_round(repo, me, user_feed(oid), following(token), key=KEY, now=lambda: later - 120)  # just inside


def test_a_cursor_the_store_does_not_know_is_sync_state_not_found(repo):
    oid = guid()
    me = person(oid)
    binding = delta._binding(me, user_feed(oid))
    token = delta._seal({"k": "d", "c": {"w": 1, "m": {}}, "ct": None, "sel": None}, KEY, binding)
    with pytest.raises(SyncStateNotFound):
        run_round(repo, me, user_feed(oid), following(token), key=KEY)


@pytest.mark.parametrize("option", ["$filter", "$orderby", "$expand", "$skip", "$count", "$top", "filter", "$SKIP"])
def test_options_delta_does_not_support_are_400(option):
    with pytest.raises(BadRequest, match="not supported with delta query"):
        parse_delta_options({option: "x"}, [SKILLS])


def test_option_checks():
    assert parse_delta_options({"$select": "DISPLAYNAME,id"}, [SKILLS]).select == ("displayName", "id")
    with pytest.raises(BadRequest, match="Could not find a property"):
        parse_delta_options({"$select": "nope"}, [SKILLS])
    with pytest.raises(BadRequest, match="Could not find a property"):  # not on every collection of the feed
        parse_delta_options({"$select": "proficiency"}, [SKILLS, POSITIONS])
    with pytest.raises(BadRequest, match="cannot be combined"):
        parse_delta_options({"$skiptoken": "abc", "$deltatoken": "abc"}, [SKILLS])
    with pytest.raises(BadRequest, match="not valid"):
        parse_delta_options({"$skiptoken": "latest!"}, [SKILLS])
    assert parse_delta_options({"$deltatoken": "latest", "code": "x"}, [SKILLS]).deltatoken == "latest"
