"""`SqliteRepository`: the repository port (shared/repository/port.py) over one SQLite file.

Every port operation is one statement (reads) or one transaction (writes, see `store.py`), so each
is atomic. Facets of all collections share the `facets` table, keyed by (tenant, object id,
collection, facet id); the stored JSON is kept exactly as written (older shapes are upgraded on the
way out by the facet kinds). Expired idempotency records are purged a few at a time by every create,
through their expiry index, so the file stops growing with them.

Change tracking (docs/data-model.md): every transaction that changes a facet takes the tenant's next
number (`sequences`) and stamps it on what it writes; a delete leaves a tombstone with it. Expired
tombstones are purged the same way as idempotency records, by every write that changes a facet.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from typing import Any, Final

from shared.errors import (
    Conflict,
    FacetNotFound,
    IdempotencyReplay,
    QuotaExceeded,
    StaleFacet,
    StorageQuotaExceeded,
)
from shared.facets.model import FacetType
from shared.models import DirectoryUser, IdempotencyRecord, Versioned
from shared.repository.changes import (
    TOMBSTONE_RETENTION_S,
    Change,
    ChangePage,
    Cursor,
    Position,
    change_number,
    page_position,
)
from shared.repository.port import Facet, IfMatch, etag_matches, storage_message
from shared.repository.sqlite.schema import SQL
from shared.repository.sqlite.store import SqliteStore

#: Expired idempotency records each create removes (it adds at most one, so they never pile up).
PURGE_BATCH: Final = 16
#: A tombstone floor above every change number: a first round delivers no tombstones.
_NO_TOMBSTONES: Final = 2**62


class SqliteRepository:
    """ProfileRepository over the SQLite file at `path` (created, or upgraded from an older layout, on open).

    `busy_timeout_s`: how long a write waits for another process's write transaction.
    `write_wait_s`: how long a write waits for this process's earlier writes (they run one at a time).
    """

    def __init__(self, path: str, *, busy_timeout_s: float = 10.0, write_wait_s: float = 10.0) -> None:
        self._store = SqliteStore(path, busy_timeout_s=busy_timeout_s, write_wait_s=write_wait_s)
        self._secrets: dict[str, bytes] = {}

    def close(self) -> None:
        self._store.close()

    # --- directory ---------------------------------------------------------------------------
    def record_user(self, user: DirectoryUser) -> None:
        rows = self._store.read(SQL.user_get, (user.tenant_id, user.object_id))
        if rows and (rows[0][1], rows[0][2]) == (user.user_principal_name, user.display_name):
            return  # the common case: a read, no write
        upn_key = user.user_principal_name.lower() if user.user_principal_name else None
        with self._store.write() as db:
            if upn_key:
                db.execute(SQL.user_release_upn, (user.tenant_id, upn_key, user.object_id))
            db.execute(
                SQL.user_upsert,
                (user.tenant_id, user.object_id, user.user_principal_name, upn_key, user.display_name),
            )

    def get_user(self, tenant_id: str, object_id: str) -> DirectoryUser | None:
        rows = self._store.read(SQL.user_get, (tenant_id, object_id))
        return _user(tenant_id, rows[0]) if rows else None

    def find_user_by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        rows = self._store.read(SQL.user_by_upn, (tenant_id, upn.lower()))
        return _user(tenant_id, rows[0]) if rows else None

    # --- profile -----------------------------------------------------------------------------
    def create_profile(self, tenant_id: str, object_id: str) -> None:
        with self._store.write() as db:
            if db.execute(SQL.profile_insert, (tenant_id, object_id)).rowcount == 0:
                raise Conflict("The profile already exists.")

    def delete_profile(self, tenant_id: str, object_id: str) -> None:
        key = (tenant_id, object_id)
        with self._store.write() as db:
            now = int(time.time())
            written = db.execute(SQL.tombstones_insert_user, (_next_seq(db, tenant_id), now, *key)).rowcount
            _purge_tombstones(db, now, written + PURGE_BATCH)
            db.execute(SQL.facets_delete_user, key)
            db.execute(SQL.idempotency_delete_user, key)
            db.execute(SQL.profile_delete, key)

    # --- facets ------------------------------------------------------------------------------
    def add_facet(
        self,
        tenant_id: str,
        object_id: str,
        facet_type: FacetType,
        facet: Facet,
        *,
        max_count: int,
        idempotency: IdempotencyRecord | None = None,
        max_bytes: int | None = None,
    ) -> Versioned[Facet]:
        etag, data, now = _new_etag(), _dump(facet), int(time.time())
        collection = (tenant_id, object_id, facet_type.collection)
        with self._store.write() as db:
            if idempotency is not None:
                earlier = _idempotency(db, tenant_id, object_id, idempotency.key, now)
                if earlier is not None:
                    raise IdempotencyReplay(earlier)
            (count,) = db.execute(SQL.facet_count, collection).fetchone()
            if count >= max_count:
                raise QuotaExceeded(f"The user already has the maximum of {max_count} items in '{collection[2]}'.")
            _within_storage(db, tenant_id, object_id, len(data), 0, max_bytes)
            seq = _next_seq(db, tenant_id)
            if db.execute(SQL.facet_insert, (*collection, facet["id"], etag, data, seq)).rowcount == 0:
                raise Conflict("A facet with this id already exists.")
            db.execute(SQL.profile_insert, (tenant_id, object_id))
            if idempotency is not None:
                db.execute(SQL.idempotency_put, (tenant_id, object_id, *_record_row(idempotency)))
            db.execute(SQL.idempotency_purge, (now, PURGE_BATCH))
            _purge_tombstones(db, now, PURGE_BATCH)
        return Versioned(facet, etag)

    def get_facet(
        self, tenant_id: str, object_id: str, facet_type: FacetType, facet_id: str
    ) -> Versioned[Facet] | None:
        rows = self._store.read(SQL.facet_get, (tenant_id, object_id, facet_type.collection, facet_id))
        return Versioned(json.loads(rows[0][0]), rows[0][1]) if rows else None

    def list_facets(
        self, tenant_id: str, object_id: str, facet_types: Sequence[FacetType]
    ) -> dict[str, list[Versioned[Facet]]]:
        found: dict[str, list[Versioned[Facet]]] = {facet_type.collection: [] for facet_type in facet_types}
        if not found:
            return found
        rows = self._store.read(SQL.facets_list, (tenant_id, object_id, json.dumps(list(found))))
        if rows:  # one JSON parse for all rows: a call per row costs a quarter of the list's time
            bodies = json.loads("[" + ",".join(data for _, data, _ in rows) + "]")
            for (collection, _, etag), body in zip(rows, bodies, strict=True):
                found[collection].append(Versioned(body, etag))
        return found

    def scan_facets(
        self, tenant_id: str, object_id: str, facet_types: Sequence[FacetType]
    ) -> Iterator[tuple[str, Versioned[Facet]]]:
        """The statement of `list_facets`, its rows fetched and parsed a few at a time as the caller iterates."""
        names = [facet_type.collection for facet_type in facet_types]
        if not names:
            return
        for collection, data, etag in self._store.stream(SQL.facets_list, (tenant_id, object_id, json.dumps(names))):
            yield collection, Versioned(json.loads(data), etag)

    def replace_facet(
        self,
        tenant_id: str,
        object_id: str,
        facet_type: FacetType,
        facet: Facet,
        *,
        if_match: IfMatch,
        max_bytes: int | None = None,
    ) -> Versioned[Facet]:
        etag, data = _new_etag(), _dump(facet)
        key = (tenant_id, object_id, facet_type.collection, facet["id"])
        with self._store.write() as db:
            _check(db, key, if_match)
            if max_bytes is not None:
                (before,) = db.execute(SQL.facet_stored_bytes, key).fetchone()
                _within_storage(db, tenant_id, object_id, len(data), int(before), max_bytes)
            db.execute(SQL.facet_update, (data, etag, _next_seq(db, tenant_id), *key))
        return Versioned(facet, etag)

    def delete_facet(
        self, tenant_id: str, object_id: str, facet_type: FacetType, facet_id: str, *, if_match: IfMatch
    ) -> None:
        key = (tenant_id, object_id, facet_type.collection, facet_id)
        with self._store.write() as db:
            _check(db, key, if_match)
            now = int(time.time())
            db.execute(SQL.tombstone_insert, (*key, _next_seq(db, tenant_id), now))
            _purge_tombstones(db, now, PURGE_BATCH)
            db.execute(SQL.facet_delete, key)

    # --- change tracking ---------------------------------------------------------------------
    def read_changes(
        self,
        tenant_id: str,
        object_id: str | None,
        facet_types: Sequence[FacetType],
        *,
        since: Cursor | None,
        after: Position | None,
        limit: int,
    ) -> ChangePage:
        """One statement per page, keyset-paged in the store by (seq, object id, collection, id).

        Cursor: the tenant's counter (an int). Position: `[start, seq, object id, collection, id]`,
        `start` being the counter read on a round's first page (a first round ends there: a delete
        during its walk is in the next round, since a first round delivers no tombstones).
        """
        first = since is None
        floor = -1 if first else change_number(since)
        start, key = page_position(after, floor)
        collections = json.dumps([facet_type.collection for facet_type in facet_types])
        sql = SQL.changes_tenant if object_id is None else SQL.changes_user
        rows = self._store.read(
            sql, (tenant_id, object_id, collections, floor, *key, _NO_TOMBSTONES if first else floor, limit + 1)
        )
        counter = next((int(row[0]) for row in rows if row[1] is None), 0)
        found = [row for row in rows if row[1] is not None]
        page = found[:limit]
        changes = [
            Change(str(oid), str(name), str(facet_id), None if data is None else json.loads(data), int(seq))
            for seq, oid, name, facet_id, data in page
        ]
        begun = counter if start is None else start
        if len(found) > limit:
            last = page[-1]
            return ChangePage(changes, after=[begun, int(last[0]), last[1], last[2], last[3]], cursor=None)
        return ChangePage(changes, after=None, cursor=begun if first else counter)

    def latest_cursor(self, tenant_id: str, object_id: str | None, facet_types: Sequence[FacetType]) -> Cursor:
        rows = self._store.read(SQL.sequence_get, (tenant_id,))
        return int(rows[0][0]) if rows else 0

    # --- deployment-wide ---------------------------------------------------------------------
    def secret(self, name: str) -> bytes:
        cached = self._secrets.get(name)
        if cached is not None:
            return cached
        rows = self._store.read(SQL.secrets_get, (name,))
        if not rows:
            import secrets

            with self._store.write() as db:  # concurrent first callers: the first insert wins, all read it
                db.execute(SQL.secrets_insert, (name, secrets.token_bytes(32)))
                rows = db.execute(SQL.secrets_get, (name,)).fetchall()
        value = bytes(rows[0][0])
        self._secrets[name] = value
        return value


def _next_seq(db: sqlite3.Connection, tenant_id: str) -> int:
    """The tenant's next change number, taken inside the caller's write transaction."""
    (value,) = db.execute(SQL.sequence_next, (tenant_id,)).fetchone()
    return int(value)


def _purge_tombstones(db: sqlite3.Connection, now: int, limit: int) -> None:
    db.execute(SQL.tombstones_purge, (now - TOMBSTONE_RETENTION_S, limit))


def _within_storage(
    db: sqlite3.Connection, tenant_id: str, object_id: str, added: int, removed: int, max_bytes: int | None
) -> None:
    """StorageQuotaExceeded when a write of `added` bytes in place of `removed` grows the user's facets past
    `max_bytes` (their sum is read inside the write's transaction, so concurrent writes cannot both pass)."""
    if max_bytes is None or added <= removed:
        return
    (stored,) = db.execute(SQL.facets_stored_bytes, (tenant_id, object_id)).fetchone()
    if int(stored) - removed + added > max_bytes:
        raise StorageQuotaExceeded(storage_message(max_bytes, int(stored), added - removed))


def _new_etag() -> str:
    return f'"{os.urandom(16).hex()}"'


def _dump(facet: Facet) -> str:
    return json.dumps(facet, separators=(",", ":"))


def _check(db: sqlite3.Connection, key: tuple[str, str, str, str], if_match: IfMatch) -> None:
    row = db.execute(SQL.facet_etag, key).fetchone()
    if row is None:
        raise FacetNotFound()
    if not etag_matches(if_match, row[0]):
        raise StaleFacet()


def _user(tenant_id: str, row: tuple[Any, ...]) -> DirectoryUser:
    return DirectoryUser(
        tenant_id=tenant_id, object_id=row[0], user_principal_name=row[1], display_name=row[2], age_group=row[3]
    )


def _record_row(record: IdempotencyRecord) -> tuple[Any, ...]:
    return (record.key, record.fingerprint, record.resource_id, json.dumps(record.response), record.expires_at)


def _record(row: tuple[Any, ...]) -> IdempotencyRecord:
    return IdempotencyRecord(
        key=row[0], fingerprint=row[1], resource_id=row[2], response=json.loads(row[3]), expires_at=row[4]
    )


def _idempotency(
    db: sqlite3.Connection, tenant_id: str, object_id: str, key: str, now: int
) -> IdempotencyRecord | None:
    row = db.execute(SQL.idempotency_get, (tenant_id, object_id, key, now)).fetchone()
    return _record(row) if row else None
