"""The repository contract for change tracking (`read_changes`, `latest_cursor`), on both stores.

A "copy" here is what a delta client keeps: `{(user, collection, facet id): stored facet}`. Applying
every change of every round, in order, to the first round's copy must give what the store holds now.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any

import pytest

from shared.facets.catalog import FACET_TYPES
from shared.facets.model import FacetType
from shared.repository import ProfileRepository
from shared.repository.changes import Change, Cursor, InvalidCursor
from tests.contract.helpers import ACCOUNT, POSITIONS, SKILLS, changed, facet, guid

Copy = dict[tuple[str, str, str], dict[str, Any]]


def drain(
    repo: ProfileRepository,
    tenant: str,
    oid: str | None,
    types: Sequence[FacetType],
    since: Cursor | None,
    *,
    limit: int = 100,
    between: Any = None,
) -> tuple[list[Change], Cursor, int]:
    """Every page of one round: (changes in order, the next round's cursor, pages read)."""
    changes: list[Change] = []
    after = None
    pages = 0
    while True:
        page = repo.read_changes(tenant, oid, types, since=since, after=after, limit=limit)
        pages += 1
        assert len(page.changes) <= limit
        changes.extend(page.changes)
        if page.after is None:
            assert page.cursor is not None
            return changes, page.cursor, pages
        assert page.changes, "a page followed by another is never empty"
        assert page.cursor is None
        after = page.after
        if between is not None:
            between(pages)


def apply(copy: Copy, changes: list[Change]) -> Copy:
    result = dict(copy)
    for change in changes:
        key = (change.object_id, change.collection, change.facet_id)
        if change.facet is None:
            result.pop(key, None)
        else:
            result[key] = change.facet
    return result


def truth(repo: ProfileRepository, tenant: str, oids: Sequence[str], types: Sequence[FacetType]) -> Copy:
    """What the store holds now, read with the ordinary list."""
    held: Copy = {}
    for oid in oids:
        for collection, items in repo.list_facets(tenant, oid, types).items():
            for item in items:
                held[(oid, collection, str(item.value["id"]))] = item.value
    return held


def add(repo: ProfileRepository, tenant: str, oid: str, facet_type: FacetType, **values: Any) -> dict[str, Any]:
    return repo.add_facet(tenant, oid, facet_type, facet(facet_type, **values), max_count=100).value


# --- per user ------------------------------------------------------------------------------------
def test_a_first_round_has_every_facet_of_the_scope_and_nothing_else(repo, tenant, oid):
    mine = [add(repo, tenant, oid, SKILLS) for _ in range(3)]
    add(repo, tenant, oid, POSITIONS)  # another collection
    add(repo, tenant, guid(), SKILLS)  # another user
    gone = add(repo, tenant, oid, SKILLS)
    repo.delete_facet(tenant, oid, SKILLS, gone["id"], if_match=None)
    changes, cursor, _ = drain(repo, tenant, oid, [SKILLS], None)
    assert all(not change.deleted for change in changes), "a first round carries no tombstones"
    assert {change.facet_id for change in changes} == {item["id"] for item in mine}
    assert apply({}, changes) == truth(repo, tenant, [oid], [SKILLS])
    again, cursor_again, pages = drain(repo, tenant, oid, [SKILLS], cursor)
    assert again == [] and pages == 1
    assert cursor_again == cursor


def test_a_round_has_creates_updates_and_deletes_since_its_cursor(repo, tenant, oid):
    kept, patched, removed = (add(repo, tenant, oid, SKILLS) for _ in range(3))
    first, cursor, _ = drain(repo, tenant, oid, [SKILLS, POSITIONS], None)
    copy = apply({}, first)
    created = add(repo, tenant, oid, POSITIONS)
    repo.replace_facet(tenant, oid, SKILLS, changed(patched, displayName="patched"), if_match=None)
    repo.replace_facet(tenant, oid, SKILLS, changed(patched, displayName="patched twice"), if_match=None)
    repo.delete_facet(tenant, oid, SKILLS, removed["id"], if_match=None)
    add(repo, tenant, oid, ACCOUNT)  # out of scope
    add(repo, tenant, guid(), SKILLS)  # another user
    changes, _, _ = drain(repo, tenant, oid, [SKILLS, POSITIONS], cursor)
    assert [(change.facet_id, change.deleted) for change in changes] == [
        (created["id"], False),
        (patched["id"], False),
        (removed["id"], True),
    ]  # in the order of their last change; the patched facet once, as it is now
    assert changes[1].facet is not None and changes[1].facet["displayName"] == "patched twice"
    assert all(change.object_id == oid for change in changes)
    assert kept["id"] not in {change.facet_id for change in changes}
    assert apply(copy, changes) == truth(repo, tenant, [oid], [SKILLS, POSITIONS])


def test_a_profile_delete_leaves_a_tombstone_for_every_facet(repo, tenant, oid):
    for facet_type in (SKILLS, POSITIONS, ACCOUNT):
        for _ in range(2):
            add(repo, tenant, oid, facet_type)
    first, cursor, _ = drain(repo, tenant, oid, FACET_TYPES, None)
    assert len(first) == 6
    repo.delete_profile(tenant, oid)
    changes, cursor, _ = drain(repo, tenant, oid, FACET_TYPES, cursor)
    assert sorted((c.collection, c.facet_id) for c in changes) == sorted((c.collection, c.facet_id) for c in first)
    assert all(change.deleted for change in changes)
    assert apply(apply({}, first), changes) == {}
    only_skills, _, _ = drain(repo, tenant, oid, [SKILLS], 0)
    assert {change.collection for change in only_skills} == {"skills"}
    again, _, _ = drain(repo, tenant, oid, FACET_TYPES, cursor)
    assert again == []


def test_writes_between_pages_are_never_lost(repo, tenant, oid):
    items = [add(repo, tenant, oid, SKILLS) for _ in range(7)]
    first, cursor, _ = drain(repo, tenant, oid, [SKILLS], None)
    copy = apply({}, first)

    def meanwhile(page: int) -> None:
        if page == 1:
            repo.replace_facet(tenant, oid, SKILLS, changed(items[0], displayName="p1"), if_match=None)
            repo.delete_facet(tenant, oid, SKILLS, items[6]["id"], if_match=None)
            add(repo, tenant, oid, SKILLS)
        if page == 2:
            repo.replace_facet(tenant, oid, SKILLS, changed(items[1], displayName="p2"), if_match=None)

    for item in items[:5]:
        repo.replace_facet(tenant, oid, SKILLS, changed(item, displayName="before"), if_match=None)
    changes, cursor, pages = drain(repo, tenant, oid, [SKILLS], cursor, limit=2, between=meanwhile)
    assert pages >= 3
    copy = apply(copy, changes)
    rest, _, _ = drain(repo, tenant, oid, [SKILLS], cursor)
    assert apply(copy, rest) == truth(repo, tenant, [oid], [SKILLS])


def test_a_first_round_in_pages_misses_nothing_written_during_it(repo, tenant, oid):
    items = [add(repo, tenant, oid, SKILLS) for _ in range(5)]

    def meanwhile(page: int) -> None:
        if page == 1:
            repo.delete_facet(tenant, oid, SKILLS, items[0]["id"], if_match=None)  # already delivered
            repo.replace_facet(tenant, oid, SKILLS, changed(items[1], displayName="x"), if_match=None)
            add(repo, tenant, oid, SKILLS)

    first, cursor, pages = drain(repo, tenant, oid, [SKILLS], None, limit=2, between=meanwhile)
    assert pages >= 3
    rest, _, _ = drain(repo, tenant, oid, [SKILLS], cursor)
    assert apply(apply({}, first), rest) == truth(repo, tenant, [oid], [SKILLS])


def test_the_latest_cursor_skips_everything_before_it(repo, tenant, oid):
    add(repo, tenant, oid, SKILLS)
    old = add(repo, tenant, oid, SKILLS)
    cursor = repo.latest_cursor(tenant, oid, [SKILLS])
    assert drain(repo, tenant, oid, [SKILLS], cursor)[0] == []
    new = add(repo, tenant, oid, SKILLS)
    repo.delete_facet(tenant, oid, SKILLS, old["id"], if_match=None)
    changes, _, _ = drain(repo, tenant, oid, [SKILLS], cursor)
    assert [(change.facet_id, change.deleted) for change in changes] == [(new["id"], False), (old["id"], True)]


def test_a_user_without_data_has_an_empty_round(repo, tenant, oid):
    changes, cursor, pages = drain(repo, tenant, oid, FACET_TYPES, None)
    assert changes == [] and pages == 1
    add(repo, tenant, oid, SKILLS)
    changes, _, _ = drain(repo, tenant, oid, FACET_TYPES, cursor)
    assert [change.collection for change in changes] == ["skills"]


def test_cursors_and_positions_the_store_did_not_issue_are_refused(repo, tenant, oid):
    for since, after in ((-5, None), ("1", None), (True, None), ({"w": "x"}, None), (0, [0, 0, 0, 0, 0]), (0, "x")):
        with pytest.raises(InvalidCursor):
            repo.read_changes(tenant, oid, [SKILLS], since=since, after=after, limit=10)


# --- tenant-wide ---------------------------------------------------------------------------------
def test_a_tenant_wide_round_covers_every_user_of_the_tenant_and_no_other(repo, tenant):
    users = [guid() for _ in range(4)]
    for oid in users:
        add(repo, tenant, oid, SKILLS)
        add(repo, tenant, oid, POSITIONS)
    add(repo, guid(), users[0], SKILLS)  # the same object id in another tenant
    first, cursor, pages = drain(repo, tenant, None, [SKILLS], None, limit=3)
    assert pages == 2
    assert apply({}, first) == truth(repo, tenant, users, [SKILLS])
    both, _, _ = drain(repo, tenant, None, [SKILLS, POSITIONS], None)
    assert apply({}, both) == truth(repo, tenant, users, [SKILLS, POSITIONS])
    # changes of several users, writes between pages, a profile deleted
    victim = truth(repo, tenant, [users[1]], [SKILLS])
    ((_, stored),) = victim.items()
    repo.replace_facet(tenant, users[1], SKILLS, changed(stored, displayName="changed"), if_match=None)
    repo.delete_profile(tenant, users[2])
    newcomer = guid()
    add(repo, tenant, newcomer, SKILLS)

    def meanwhile(page: int) -> None:
        if page == 1:
            add(repo, tenant, users[0], SKILLS)
            repo.delete_profile(tenant, users[3])

    copy = apply({}, first)
    changes, cursor, _ = drain(repo, tenant, None, [SKILLS], cursor, limit=1, between=meanwhile)
    copy = apply(copy, changes)
    rest, cursor, _ = drain(repo, tenant, None, [SKILLS], cursor)
    copy = apply(copy, rest)
    assert copy == truth(repo, tenant, [*users, newcomer], [SKILLS])
    quiet, _, pages = drain(repo, tenant, None, [SKILLS], cursor)
    assert apply(copy, quiet) == copy and pages == 1


def test_the_tenant_wide_latest_cursor_misses_nothing_after_it(repo, tenant):
    oid = guid()
    add(repo, tenant, oid, SKILLS)
    cursor = repo.latest_cursor(tenant, None, [SKILLS])
    later = add(repo, tenant, guid(), SKILLS)
    changes, _, _ = drain(repo, tenant, None, [SKILLS], cursor)
    assert later["id"] in {change.facet_id for change in changes}


# --- SQLite: tombstones are purged as writes happen --------------------------------------------------
def test_sqlite_purges_expired_tombstones_as_writes_happen(tmp_path):
    from shared.repository.sqlite import SqliteRepository

    path = tmp_path / "purge.sqlite3"
    repo = SqliteRepository(str(path))
    tenant, oid = guid(), guid()
    try:
        for _ in range(20):
            item = add(repo, tenant, oid, SKILLS)
            repo.delete_facet(tenant, oid, SKILLS, item["id"], if_match=None)
        db = sqlite3.connect(path)
        try:
            with db:
                db.execute("UPDATE tombstones SET deleted_at=?", (int(time.time()) - 8 * 24 * 3600,))
            assert db.execute("SELECT COUNT(*) FROM tombstones").fetchone()[0] == 20
            add(repo, tenant, oid, SKILLS)  # one write purges a batch of them
            assert db.execute("SELECT COUNT(*) FROM tombstones").fetchone()[0] == 20 - 16
            repo.delete_profile(tenant, oid)  # a profile delete purges the rest, and leaves its own
            assert db.execute("SELECT COUNT(*) FROM tombstones").fetchone()[0] == 1
        finally:
            db.close()
    finally:
        repo.close()


def test_sqlite_a_file_without_change_tracking_is_upgraded_and_its_facets_are_in_a_first_round(tmp_path):
    """A file of the previous layout (schema version 2: no `seq`, no tombstones) opens, is upgraded in
    place, and its facets take part in a first round; later writes are tracked."""
    from shared.repository.sqlite import SqliteRepository, schema

    path = tmp_path / "v2.sqlite3"
    repo = SqliteRepository(str(path))
    tenant, oid = guid(), guid()
    old = add(repo, tenant, oid, SKILLS)
    repo.close()
    db = sqlite3.connect(path)  # back to the previous layout, as that release left it
    with db:
        for statement in (
            "DROP INDEX facets_changes",
            "ALTER TABLE facets DROP COLUMN seq",
            "DROP TABLE tombstones",
            "DROP TABLE sequences",
            "PRAGMA user_version=2",
        ):
            db.execute(statement)
    db.close()

    repo = SqliteRepository(str(path))
    try:
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        db.close()
        first, cursor, _ = drain(repo, tenant, oid, [SKILLS], None)
        assert [(change.facet_id, change.seq) for change in first] == [(old["id"], 0)]
        repo.delete_facet(tenant, oid, SKILLS, old["id"], if_match=None)
        changes, _, _ = drain(repo, tenant, oid, [SKILLS], cursor)
        assert [(change.facet_id, change.deleted) for change in changes] == [(old["id"], True)]
    finally:
        repo.close()
