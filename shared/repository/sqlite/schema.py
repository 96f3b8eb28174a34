"""The SQLite file's schema, every statement the adapter issues, and the upgrade of older files.

Tables: `facets` (every facet of every collection, one row each, the stored JSON as it was
written), `profiles` (the profile marker), `users` (the directory of seen users), `idempotency`
(create outcomes, purged after expiry through `idempotency_expiry`), `secrets` (deployment-wide
random values). Every statement in `SQL` is served by an index: tests/unit/test_sqlite_query_plans.py
runs `EXPLAIN QUERY PLAN` on each and on everything the adapter issues.

Versions (`PRAGMA user_version`): 0 with an `accounts` table is the account-only layout of earlier
releases; `SCHEMA_VERSION` is this layout. An older file is upgraded on open, in one transaction.
"""
from __future__ import annotations

import contextlib
import sqlite3
from typing import Final, NamedTuple

#: The layout written by this version. (The account-only layout kept user_version 0.)
SCHEMA_VERSION: Final = 2

#: Tables that hold data: a full scan of any of them is a defect (see the query-plan test).
DATA_TABLES: Final = ("facets", "profiles", "users", "idempotency", "secrets")

_CREATE: Final = (
    "CREATE TABLE IF NOT EXISTS users ("
    " tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, upn TEXT, upn_key TEXT,"
    " display_name TEXT, age_group TEXT, PRIMARY KEY (tenant_id, object_id))",
    "CREATE UNIQUE INDEX IF NOT EXISTS users_upn ON users (tenant_id, upn_key)",
    "CREATE TABLE IF NOT EXISTS profiles ("
    " tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, PRIMARY KEY (tenant_id, object_id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS facets ("
    " tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL,"
    " etag TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, object_id, collection, id))",
    "CREATE TABLE IF NOT EXISTS idempotency ("
    " tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
    " resource_id TEXT NOT NULL, response TEXT NOT NULL, expires_at INTEGER NOT NULL,"
    " PRIMARY KEY (tenant_id, object_id, key))",
    "CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at)",
    "CREATE TABLE IF NOT EXISTS secrets (name TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID",
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
    facet_insert: str = (
        "INSERT INTO facets (tenant_id, object_id, collection, id, etag, data) VALUES (?,?,?,?,?,?)"
        " ON CONFLICT DO NOTHING"
    )
    facet_get: str = "SELECT data, etag FROM facets WHERE tenant_id=? AND object_id=? AND collection=? AND id=?"
    facet_etag: str = "SELECT etag FROM facets WHERE tenant_id=? AND object_id=? AND collection=? AND id=?"
    facet_update: str = "UPDATE facets SET data=?, etag=? WHERE tenant_id=? AND object_id=? AND collection=? AND id=?"
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
            for statement in _FROM_ACCOUNTS_LAYOUT if "accounts" in tables else _CREATE:
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
