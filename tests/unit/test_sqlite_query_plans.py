"""Every query of the SQLite store is served by an index: no full scan of a data table, ever.

Two views: `EXPLAIN QUERY PLAN` of each statement in the adapter's table (schema.SQL), and of every
statement the adapter actually issued (traced on its connections) while a workload calls every port
method. The second also checks that the table is complete (nothing issued outside it) and exercised.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.errors import Conflict, IdempotencyReplay, NotFound, PreconditionFailed, QuotaExceeded
from shared.facets.catalog import FACET_TYPES
from shared.repository.sqlite import SqliteRepository, schema
from tests.contract.helpers import ACCOUNT, POSITIONS, SKILLS, changed, facet, guid, record, user

#: Statements outside the table that the adapter may issue: transaction control and opening the file.
_HOUSEKEEPING = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|PRAGMA|CREATE|ALTER|DROP)\b|FROM sqlite_master", re.IGNORECASE)
_DML = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH)\b", re.IGNORECASE)


def full_scans(db: sqlite3.Connection, sql: str, args: tuple[object, ...] = ()) -> list[str]:
    """The plan lines of `sql` that scan a whole data table (or the whole of one of its indexes)."""
    plan = db.execute(f"EXPLAIN QUERY PLAN {sql}", args).fetchall()
    return [row[3] for row in plan if re.match(rf"SCAN ({'|'.join(schema.DATA_TABLES)})\b", row[3])]


@pytest.fixture
def path(tmp_path: Path) -> Iterator[Path]:
    file = tmp_path / "plans.sqlite3"
    SqliteRepository(str(file)).close()
    yield file


def test_full_scans_are_detected(path):
    """The detector itself: a query without a usable index is caught."""
    db = sqlite3.connect(path)
    try:
        assert full_scans(db, "SELECT data FROM facets WHERE etag=?", (None,)) == ["SCAN facets"]
        assert full_scans(db, "SELECT COUNT(*) FROM idempotency WHERE fingerprint=?", (None,))
    finally:
        db.close()


@pytest.mark.parametrize("name", schema.SQL._fields)
def test_each_statement_of_the_table_uses_an_index(path, name):
    sql = getattr(schema.SQL, name)
    db = sqlite3.connect(path)
    try:
        assert full_scans(db, sql, (None,) * _parameters(sql)) == []
    finally:
        db.close()


def _parameters(sql: str) -> int:
    """How many values a statement takes: its highest `?NNN`, else its count of `?`."""
    numbered = [int(number) for number in re.findall(r"\?(\d+)", sql)]
    return max(numbered) if numbered else sql.count("?")


def _template(sql: str) -> re.Pattern[str]:
    """A statement of the table as a pattern matching its traced form (parameters expanded to literals)."""
    return re.compile("^" + re.sub(r"\\\?\d*", "(?:.+?)", re.escape(sql)) + "$", re.DOTALL)


def _workload(repo: SqliteRepository, tenant: str) -> None:
    """Every port method, and every branch that issues a statement of its own."""
    oid, other = guid(), guid()
    repo.record_user(user(tenant, oid, "ada@contoso.com"))
    repo.record_user(user(tenant, oid, "ada@contoso.com"))  # unchanged: a read only
    repo.record_user(user(tenant, other, "Ada@Contoso.com"))  # the UPN moves
    repo.record_user(user(tenant, guid(), None))
    repo.get_user(tenant, oid)
    repo.find_user_by_upn(tenant, "ADA@contoso.com")
    repo.create_profile(tenant, oid)
    with pytest.raises(Conflict):
        repo.create_profile(tenant, oid)
    first = repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=2, idempotency=record("k"))
    repo.add_facet(tenant, oid, POSITIONS, facet(POSITIONS), max_count=2, idempotency=record("old", ttl=-5))
    repo.add_facet(tenant, oid, ACCOUNT, facet(ACCOUNT), max_count=2)
    with pytest.raises(IdempotencyReplay):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=2, idempotency=record("k"))
    with pytest.raises(Conflict):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS, first.value["id"]), max_count=2)
    repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=2)
    with pytest.raises(QuotaExceeded):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=2)
    repo.get_facet(tenant, oid, SKILLS, first.value["id"])
    repo.list_facets(tenant, oid, FACET_TYPES)
    repo.list_facets(tenant, oid, [SKILLS])
    repo.add_facet(tenant, oid, POSITIONS, facet(POSITIONS), max_count=100, max_bytes=10**9)  # the storage ceiling
    grown = changed(first.value, displayName="a longer name than before")
    second = repo.replace_facet(tenant, oid, SKILLS, grown, if_match=first.etag, max_bytes=10**9)  # the ceiling
    with pytest.raises(PreconditionFailed):
        repo.replace_facet(tenant, oid, SKILLS, changed(first.value), if_match=first.etag)
    with pytest.raises(NotFound):
        repo.delete_facet(tenant, oid, SKILLS, guid(), if_match=None)
    repo.delete_facet(tenant, oid, SKILLS, second.value["id"], if_match=second.etag)
    repo.secret("plans")
    for scope in (oid, None):  # a first round in pages, then a round from its cursor
        page = repo.read_changes(tenant, scope, FACET_TYPES, since=None, after=None, limit=1)
        page = repo.read_changes(tenant, scope, [SKILLS], since=None, after=page.after, limit=100)
        repo.read_changes(tenant, scope, [SKILLS], since=page.cursor, after=None, limit=100)
        repo.latest_cursor(tenant, scope, [SKILLS])
    repo.delete_profile(tenant, oid)


def test_every_statement_the_adapter_issues_uses_an_index(tmp_path, monkeypatch):
    traced: list[str] = []
    guard = threading.Lock()
    connect = sqlite3.connect

    def traced_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)

        def trace(statement: str) -> None:
            with guard:
                traced.append(statement)

        conn.set_trace_callback(trace)
        return conn

    file = tmp_path / "traced.sqlite3"
    monkeypatch.setattr(sqlite3, "connect", traced_connect)
    repo = SqliteRepository(str(file))
    try:
        _workload(repo, guid())
    finally:
        repo.close()
        monkeypatch.undo()

    templates = {name: _template(getattr(schema.SQL, name)) for name in schema.SQL._fields}
    issued = [statement for statement in traced if not _HOUSEKEEPING.search(statement.strip())]
    used = {name for statement in issued for name, pattern in templates.items() if pattern.match(statement)}
    unlisted = [statement for statement in issued if not any(p.match(statement) for p in templates.values())]
    assert unlisted == [], "statements issued outside schema.SQL"
    assert used == set(templates), f"statements the workload never issued: {set(templates) - used}"
    db = connect(file)
    try:
        scans = {statement: full_scans(db, statement) for statement in issued if _DML.match(statement)}
    finally:
        db.close()
    assert {statement: lines for statement, lines in scans.items() if lines} == {}
