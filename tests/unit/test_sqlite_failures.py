"""A broken store is 503 with Retry-After; no sqlite3 exception leaves the adapter; a failed write leaves nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from shared.errors import ServiceUnavailable
from shared.repository.sqlite import SqliteRepository
from tests.contract.helpers import ACCOUNT, SKILLS, facet, guid, record, user

TENANT = guid()
UNAVAILABLE = "The store is not available. Try again later."


def _raw(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            db.execute(statement)
    finally:
        db.close()


def _unavailable(call: Callable[[], object]) -> ServiceUnavailable:
    with pytest.raises(ServiceUnavailable) as failed:
        call()
    assert failed.value.status == 503 and failed.value.headers == {"Retry-After": "5"}
    assert failed.value.message == UNAVAILABLE
    return failed.value


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not a database, just some bytes " * 200)
    error = _unavailable(lambda: SqliteRepository(str(path)))
    assert isinstance(error.__cause__, sqlite3.DatabaseError)


def test_a_path_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    error = _unavailable(lambda: SqliteRepository(str(blocker / "profiles.sqlite3")))
    assert isinstance(error.__cause__, OSError)


def test_a_file_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "newer.sqlite3"
    _raw(path, "CREATE TABLE future (x)", "PRAGMA user_version=99")
    _unavailable(lambda: SqliteRepository(str(path)))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (99,)
    assert db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall() == [("future",)]
    db.close()


def test_every_operation_maps_a_broken_store(tmp_path):
    """Tables gone under a running repository: every port method answers 503, never a sqlite3 error."""
    path = tmp_path / "broken.sqlite3"
    repo = SqliteRepository(str(path))
    _raw(path, *(f"DROP TABLE {table}" for table in ("facets", "profiles", "users", "idempotency", "secrets")))
    calls: list[Callable[[], object]] = [
        lambda: repo.record_user(user(TENANT, "o", "a@contoso.com")),
        lambda: repo.get_user(TENANT, "o"),
        lambda: repo.find_user_by_upn(TENANT, "a@contoso.com"),
        lambda: repo.create_profile(TENANT, "o"),
        lambda: repo.delete_profile(TENANT, "o"),
        lambda: repo.add_facet(TENANT, "o", SKILLS, facet(SKILLS), max_count=5, idempotency=record()),
        lambda: repo.get_facet(TENANT, "o", SKILLS, "x"),
        lambda: repo.list_facets(TENANT, "o", [SKILLS, ACCOUNT]),
        lambda: repo.replace_facet(TENANT, "o", SKILLS, facet(SKILLS), if_match=None),
        lambda: repo.delete_facet(TENANT, "o", SKILLS, "x", if_match="*"),
        lambda: repo.secret("s"),
    ]
    try:
        for call in calls:
            assert isinstance(_unavailable(call).__cause__, sqlite3.Error)
    finally:
        repo.close()


def test_a_write_that_fails_part_way_leaves_nothing(tmp_path):
    """The facet is inserted, then the store fails (the records table is gone): the facet is rolled back."""
    path = tmp_path / "partial.sqlite3"
    repo = SqliteRepository(str(path))
    oid = guid()
    made = facet(SKILLS)
    try:
        _raw(path, "ALTER TABLE idempotency RENAME TO idempotency_away")
        _unavailable(lambda: repo.add_facet(TENANT, oid, SKILLS, made, max_count=5))
        _raw(path, "ALTER TABLE idempotency_away RENAME TO idempotency")
        assert repo.get_facet(TENANT, oid, SKILLS, made["id"]) is None
        repo.create_profile(TENANT, oid)  # the marker was rolled back too
        assert repo.add_facet(TENANT, oid, SKILLS, made, max_count=5).value == made  # and the lock was released
    finally:
        repo.close()
