"""The SQLite file's schema, every statement the adapter issues, and the upgrade of older files.

Tables: `facets` (every facet of every collection, one row each, the stored JSON as it was
written), `profiles` (the profile marker), `users` (the directory of seen users), `idempotency`
(create outcomes, purged after expiry through `idempotency_expiry`), `secrets` (deployment-wide
random values), `sequences` (each tenant's change counter) and `tombstones` (deleted facets, kept
for the delta retention window; docs/data-model.md, "Change tracking"). Every statement in `SQL` is
served by an index: tests/unit/test_sqlite_query_plans.py
runs `EXPLAIN QUERY PLAN` on each and on everything the adapter issues.

Versions (`PRAGMA user_version`): 0 with an `accounts` table is the account-only layout of earlier
releases; `SCHEMA_VERSION` is this layout. An older file is upgraded on open, in one transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Final, NamedTuple

#: The layout written by this version. (The account-only layout kept user_version 0.)
SCHEMA_VERSION: Final = 3

#: Tables that hold data: a full scan of any of them is a defect (see the query-plan test).
DATA_TABLES: Final = ("facets", "profiles", "users", "idempotency", "secrets", "sequences", "tombstones")

#: Change tracking (schema version 3): the facets' `seq` column is part of the facets table above.
_CHANGE_TRACKING: Final = (
    "CREATE INDEX IF NOT EXISTS facets_changes ON facets (tenant_id, seq, object_id, collection, id)",
    "CREATE TABLE IF NOT EXISTS sequences (tenant_id TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS tombstones ("
    " tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, deleted_at INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS tombstones_changes ON tombstones (tenant_id, seq, object_id, collection, id)",
    "CREATE INDEX IF NOT EXISTS tombstones_user ON tombstones (tenant_id, object_id, collection, seq)",
    "CREATE INDEX IF NOT EXISTS tombstones_expiry ON tombstones (deleted_at)",
)

_CREATE: Final = (
    "CREATE TABLE IF NOT EXISTS users ("
    " tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, upn TEXT, upn_key TEXT,"
    " display_name TEXT, age_group TEXT, PRIMARY KEY (tenant_id, object_id))",
    "CREATE UNIQUE INDEX IF NOT EXISTS users_upn ON users (tenant_id, upn_key)",
    "CREATE TABLE IF NOT EXISTS profiles ("
    " tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, PRIMARY KEY (tenant_id, object_id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS facets ("
    " tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL,"
    " etag TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (tenant_id, object_id, collection, id))",
    "CREATE TABLE IF NOT EXISTS idempotency ("
    " tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
    " resource_id TEXT NOT NULL, response TEXT NOT NULL, expires_at INTEGER NOT NULL,"
    " PRIMARY KEY (tenant_id, object_id, key))",
    "CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at)",
    "CREATE TABLE IF NOT EXISTS secrets (name TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID",
    *_CHANGE_TRACKING,
)

#: From the account-only layout: its `profiles(tenant_id, object_id, id, created)` becomes markers,
#: its `accounts` rows become `account` facets with their JSON and ETags unchanged (older value
#: shapes are upgraded when read, by the facet kinds). `users` and `idempotency` keep their shape.
_FROM_ACCOUNTS_LAYOUT: Final = (
    "ALTER TABLE profiles RENAME TO profiles_v1",
    *_CREATE,
    "INSERT INTO profiles (tenant_id, object_id) SELECT tenant_id, object_id FROM profiles_v1",
    "INSERT INTO facets (tenant_id, object_id, collection, id, etag, data)"
    " SELECT tenant_id, object_id, 'account', id, etag, data FROM accounts",
    "DROP TABLE profiles_v1",
    "DROP TABLE accounts",
)


#: From schema version 2 (no change tracking): facets get `seq` 0 (they take part in a first round).
_FROM_VERSION_2: Final = ("ALTER TABLE facets ADD COLUMN seq INTEGER NOT NULL DEFAULT 0", *_CHANGE_TRACKING)


class Statements(NamedTuple):
    """Every statement the adapter issues after opening. Parameters are positional (`?`)."""

    # directory
    user_get: str = "SELECT object_id, upn, display_name, age_group FROM users WHERE tenant_id=? AND object_id=?"
    user_by_upn: str = "SELECT object_id, upn, display_name, age_group FROM users WHERE tenant_id=? AND upn_key=?"
    user_release_upn: str = "UPDATE users SET upn=NULL, upn_key=NULL WHERE tenant_id=? AND upn_key=? AND object_id<>?"
    user_upsert: str = (
        "INSERT INTO users (tenant_id, object_id, upn, upn_key, display_name) VALUES (?,?,?,?,?)"
        " ON CONFLICT (tenant_id, object_id) DO UPDATE SET upn=excluded.upn, upn_key=excluded.upn_key,"
        " display_name=excluded.display_name"
    )
    # profile marker and whole-user deletes
    profile_insert: str = "INSERT INTO profiles (tenant_id, object_id) VALUES (?,?) ON CONFLICT DO NOTHING"
    profile_delete: str = "DELETE FROM profiles WHERE tenant_id=? AND object_id=?"
    facets_delete_user: str = "DELETE FROM facets WHERE tenant_id=? AND object_id=?"
    idempotency_delete_user: str = "DELETE FROM idempotency WHERE tenant_id=? AND object_id=?"
    # facets
    facet_count: str = "SELECT COUNT(*) FROM facets WHERE tenant_id=? AND object_id=? AND collection=?"
    # the storage ceiling: the bytes of a user's facets (the JSON is ASCII, so characters are bytes)
    facets_stored_bytes: str = (
        "SELECT COALESCE(SUM(length(CAST(data AS BLOB))), 0) FROM facets WHERE tenant_id=? AND object_id=?"
    )
    facet_stored_bytes: str = (
        "SELECT length(CAST(data AS BLOB)) FROM facets WHERE tenant_id=? AND object_id=? AND collection=? AND id=?"
    )
    facet_insert: str = (
        "INSERT INTO facets (tenant_id, object_id, collection, id, etag, data, seq) VALUES (?,?,?,?,?,?,?)"
        " ON CONFLICT DO NOTHING"
    )
    facet_get: str = "SELECT data, etag FROM facets WHERE tenant_id=? AND object_id=? AND collection=? AND id=?"
    facet_etag: str = "SELECT etag FROM facets WHERE tenant_id=? AND object_id=? AND collection=? AND id=?"
    facet_update: str = (
        "UPDATE facets SET data=?, etag=?, seq=? WHERE tenant_id=? AND object_id=? AND collection=? AND id=?"
    )
    facet_delete: str = "DELETE FROM facets WHERE tenant_id=? AND object_id=? AND collection=? AND id=?"
    # the collections come as one JSON array, so one statement serves any number of them
    facets_list: str = (
        "SELECT collection, data, etag FROM facets WHERE tenant_id=? AND object_id=?"
        " AND collection IN (SELECT value FROM json_each(?))"
    )
    # idempotency records
    idempotency_get: str = (
        "SELECT key, fingerprint, resource_id, response, expires_at FROM idempotency"
        " WHERE tenant_id=? AND object_id=? AND key=? AND expires_at>?"
    )
    idempotency_put: str = (
        "INSERT OR REPLACE INTO idempotency"
        " (tenant_id, object_id, key, fingerprint, resource_id, response, expires_at) VALUES (?,?,?,?,?,?,?)"
    )
    idempotency_purge: str = (
        "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE expires_at<=? LIMIT ?)"
    )
    # change tracking: one number per write transaction, tombstones, rounds (docs/data-model.md)
    sequence_next: str = (
        "INSERT INTO sequences (tenant_id, value) VALUES (?, 1)"
        " ON CONFLICT (tenant_id) DO UPDATE SET value=value+1 RETURNING value"
    )
    sequence_get: str = "SELECT value FROM sequences WHERE tenant_id=?"
    tombstone_insert: str = (
        "INSERT INTO tombstones (tenant_id, object_id, collection, id, seq, deleted_at) VALUES (?,?,?,?,?,?)"
    )
    tombstones_insert_user: str = (
        "INSERT INTO tombstones (tenant_id, object_id, collection, id, seq, deleted_at)"
        " SELECT tenant_id, object_id, collection, id, ?, ? FROM facets WHERE tenant_id=? AND object_id=?"
    )
    tombstones_purge: str = (
        "DELETE FROM tombstones WHERE rowid IN (SELECT rowid FROM tombstones WHERE deleted_at<? LIMIT ?)"
    )
    # A page of a round, in delivery order: (seq, object id, collection, id, data; NULL data for a
    # tombstone) strictly after the keyset position, then one row (NULL object id) with the tenant's
    # counter, all in one snapshot. ?1 tenant, ?2 object id, ?3 collections (JSON array), ?4 floor of
    # the facets (seq > floor), ?5-?8 the keyset position, ?9 floor of the tombstones (a first round
    # passes one above every number: it has none), ?10 the page size.
    changes_user: str = (
        "WITH page AS ("
        "SELECT seq, object_id, collection, id, data FROM facets INDEXED BY sqlite_autoindex_facets_1"
        " WHERE tenant_id=?1 AND object_id=?2"
        " AND collection IN (SELECT value FROM json_each(?3)) AND seq>?4"
        " AND (seq, object_id, collection, id)>(?5, ?6, ?7, ?8)"
        " UNION ALL "
        "SELECT seq, object_id, collection, id, NULL FROM tombstones INDEXED BY tombstones_user"
        " WHERE tenant_id=?1 AND object_id=?2"
        " AND collection IN (SELECT value FROM json_each(?3)) AND seq>?9"
        " AND (seq, object_id, collection, id)>(?5, ?6, ?7, ?8)"
        " ORDER BY 1, 2, 3, 4 LIMIT ?10)"
        " SELECT * FROM page UNION ALL SELECT value, NULL, NULL, NULL, NULL FROM sequences WHERE tenant_id=?1"
    )
    # The same for every user of the tenant (?2 unused): both arms walk their (tenant, seq, ...) index
    # in order and are merged, so a page reads about as many rows as it returns. (A user's page names
    # its indexes: the planner, without statistics, would walk the tenant's changes instead.)
    changes_tenant: str = (
        "WITH page AS ("
        "SELECT seq, object_id, collection, id, data FROM facets WHERE tenant_id=?1 AND ?2 IS NULL AND seq>?4"
        " AND (seq, object_id, collection, id)>(?5, ?6, ?7, ?8) AND collection IN (SELECT value FROM json_each(?3))"
        " UNION ALL "
        "SELECT seq, object_id, collection, id, NULL FROM tombstones WHERE tenant_id=?1 AND seq>?9"
        " AND (seq, object_id, collection, id)>(?5, ?6, ?7, ?8) AND collection IN (SELECT value FROM json_each(?3))"
        " ORDER BY 1, 2, 3, 4 LIMIT ?10)"
        " SELECT * FROM page UNION ALL SELECT value, NULL, NULL, NULL, NULL FROM sequences WHERE tenant_id=?1"
    )
    # deployment-wide secrets
    secrets_get: str = "SELECT value FROM secrets WHERE name=?"
    secrets_insert: str = "INSERT INTO secrets (name, value) VALUES (?,?) ON CONFLICT DO NOTHING"


#: The statements (tests iterate `SQL._asdict()`).
SQL: Final = Statements()


class NewerSchema(Exception):
    """The file was written by a newer version of this service (its user_version is higher)."""


def upgrade(conn: sqlite3.Connection) -> None:
    """Bring the file to `SCHEMA_VERSION`, in one transaction; nothing to do (and no write lock) when current.

    sqlite3 errors propagate (the caller maps them); a failed upgrade leaves the file as it was.
    """
    if _version(conn) == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _version(conn)  # another process may have upgraded it while we waited
        if version > SCHEMA_VERSION:
            raise NewerSchema(f"schema version {version} is newer than {SCHEMA_VERSION}")
        if version < SCHEMA_VERSION:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            statements: tuple[str, ...]
            if "accounts" in tables:
                statements = _FROM_ACCOUNTS_LAYOUT
            elif version == 2:
                statements = _FROM_VERSION_2
            else:
                statements = _CREATE
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def rollback(conn: sqlite3.Connection) -> None:
    """End an open transaction without its changes; a failure here must not hide the one that led here."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _version(conn: sqlite3.Connection) -> int:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    return int(version)
