"""Expired idempotency records are purged by creates, a bounded number at a time, so the file stops growing."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from shared.repository.sqlite import SqliteRepository
from shared.repository.sqlite.repository import PURGE_BATCH
from tests.contract.helpers import SKILLS, facet, guid, idempotency_record, record

TENANT = guid()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "purge.sqlite3"


def _rows(path: Path, sql: str, args: tuple[object, ...] = ()) -> list[Any]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def _store_records(path: Path, count: int, expires_at: int, prefix: str) -> None:
    """Records as earlier creates left them (written straight into the adapter's table)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.executemany(
            "INSERT INTO idempotency VALUES (?,?,?,?,?,?,?)",
            [
                (TENANT, f"user-{n % 7}", f"{prefix}-{n}", "fp", "r", json.dumps({"id": "r"}), expires_at)
                for n in range(count)
            ],
        )
    finally:
        db.close()


def _count(path: Path, keys: str = "%") -> int:
    """How many records have a key LIKE `keys`."""
    return int(_rows(path, "SELECT COUNT(*) FROM idempotency WHERE key LIKE ?", (keys,))[0][0])


def test_each_create_purges_at_most_a_batch_of_expired_records(path):
    repo = SqliteRepository(str(path))
    now = int(time.time())
    _store_records(path, 40, now - 60, "expired")
    _store_records(path, 5, now + 3600, "live")
    try:
        oid = guid()
        repo.add_facet(TENANT, oid, SKILLS, facet(SKILLS), max_count=100)
        assert _count(path, "expired-%") == 40 - PURGE_BATCH  # bounded work per create
        repo.add_facet(TENANT, oid, SKILLS, facet(SKILLS), max_count=100, idempotency=record("mine"))
        assert _count(path, "expired-%") == max(0, 40 - 2 * PURGE_BATCH)
        for _ in range(3):
            repo.add_facet(TENANT, oid, SKILLS, facet(SKILLS), max_count=100)
        assert _count(path, "expired-%") == 0
        assert _count(path, "live-%") == 5  # unexpired records stay
        assert idempotency_record(repo, TENANT, oid, "mine") is not None
    finally:
        repo.close()


def test_the_file_stops_growing_with_expired_records(path, monkeypatch):
    """Creates with keys that expire at once, each facet deleted again: the file settles at a fixed size
    (its tombstones expiring at once too: they are kept for the delta retention window otherwise)."""
    monkeypatch.setattr("shared.repository.sqlite.repository.TOMBSTONE_RETENTION_S", -1)
    repo = SqliteRepository(str(path))
    oid = guid()

    def churn(times: int) -> None:
        for _ in range(times):
            made = repo.add_facet(TENANT, oid, SKILLS, facet(SKILLS), max_count=5, idempotency=record(ttl=-1))
            repo.delete_facet(TENANT, oid, SKILLS, made.value["id"], if_match=None)

    def pages() -> int:
        return int(_rows(path, "PRAGMA page_count")[0][0])

    try:
        churn(200)
        settled = pages()
        churn(1500)  # without the purge: 1,500 more records, ~60 more pages
        assert pages() <= settled + 1
        assert _count(path) <= 1
    finally:
        repo.close()


def test_expired_records_are_found_through_the_expiry_index(path):
    SqliteRepository(str(path)).close()
    indexes = _rows(path, "SELECT name FROM pragma_index_list('idempotency')")
    columns = _rows(path, "SELECT name FROM pragma_index_info('idempotency_expiry')")
    assert ("idempotency_expiry",) in indexes and columns == [("expires_at",)]
