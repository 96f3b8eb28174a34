"""The embedded store: one SQLite file, safe under concurrent requests from many threads.

Each thread has its own connection (WAL journal, busy timeout); every write runs in one
`BEGIN IMMEDIATE` transaction, so each port operation is atomic and writers are serialised.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from shared.errors import Conflict, NotFound, PreconditionFailed, QuotaExceeded, ServiceUnavailable
from shared.models import Account, DirectoryUser, IdempotencyRecord, Page, Profile, Versioned
from shared.repository.cursor import decode_cursor, encode_cursor, sort_key
from shared.repository.port import IdempotencyReplay

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, upn TEXT, upn_key TEXT,
    display_name TEXT, age_group TEXT, PRIMARY KEY (tenant_id, object_id));
CREATE UNIQUE INDEX IF NOT EXISTS users_upn ON users (tenant_id, upn_key);
CREATE TABLE IF NOT EXISTS profiles (
    tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, id TEXT NOT NULL, created TEXT NOT NULL,
    PRIMARY KEY (tenant_id, object_id));
CREATE TABLE IF NOT EXISTS accounts (
    tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, id TEXT NOT NULL, sort_key TEXT NOT NULL,
    etag TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, object_id, id));
CREATE INDEX IF NOT EXISTS accounts_order ON accounts (tenant_id, object_id, sort_key);
CREATE TABLE IF NOT EXISTS idempotency (
    tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    resource_id TEXT NOT NULL, response TEXT NOT NULL, expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, object_id, key));
"""


def _new_etag() -> str:
    return f'"{uuid.uuid4().hex}"'


class SqliteRepository:
    """ProfileRepository over a SQLite file (see shared.repository.port for the semantics)."""

    def __init__(self, path: str, *, busy_timeout_s: float = 10.0) -> None:
        self._path = path
        self._timeout = busy_timeout_s
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn().executescript(_SCHEMA)

    # --- plumbing ----------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            raise ServiceUnavailable("The store is busy. Try again later.", retry_after=1) from None
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _read(self, sql: str, args: tuple) -> list[tuple]:
        try:
            return self._conn().execute(sql, args).fetchall()
        except sqlite3.OperationalError:
            raise ServiceUnavailable("The store is busy. Try again later.", retry_after=1) from None

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    # --- directory ---------------------------------------------------------------------------
    def record_user(self, user: DirectoryUser) -> None:
        upn_key = user.user_principal_name.lower() if user.user_principal_name else None
        with self._write() as db:
            row = db.execute(
                "SELECT upn, display_name FROM users WHERE tenant_id=? AND object_id=?",
                (user.tenant_id, user.object_id),
            ).fetchone()
            if row == (user.user_principal_name, user.display_name):
                return
            if upn_key:
                db.execute(
                    "UPDATE users SET upn=NULL, upn_key=NULL WHERE tenant_id=? AND upn_key=? AND object_id<>?",
                    (user.tenant_id, upn_key, user.object_id),
                )
            db.execute(
                "INSERT INTO users (tenant_id, object_id, upn, upn_key, display_name) VALUES (?,?,?,?,?) "
                "ON CONFLICT (tenant_id, object_id) DO UPDATE SET upn=excluded.upn, upn_key=excluded.upn_key, "
                "display_name=excluded.display_name",
                (user.tenant_id, user.object_id, user.user_principal_name, upn_key, user.display_name),
            )

    def get_user(self, tenant_id: str, object_id: str) -> DirectoryUser | None:
        rows = self._read(
            "SELECT object_id, upn, display_name, age_group FROM users WHERE tenant_id=? AND object_id=?",
            (tenant_id, object_id),
        )
        return _user(tenant_id, rows[0]) if rows else None

    def find_user_by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        rows = self._read(
            "SELECT object_id, upn, display_name, age_group FROM users WHERE tenant_id=? AND upn_key=?",
            (tenant_id, upn.lower()),
        )
        return _user(tenant_id, rows[0]) if rows else None

    # --- profile -----------------------------------------------------------------------------
    def create_profile(self, tenant_id: str, object_id: str, profile: Profile) -> Profile:
        with self._write() as db:
            if not _insert_profile(db, tenant_id, object_id, profile):
                raise Conflict("The profile already exists.")
        return profile

    def get_profile(self, tenant_id: str, object_id: str) -> Profile | None:
        rows = self._read(
            "SELECT id, created FROM profiles WHERE tenant_id=? AND object_id=?", (tenant_id, object_id)
        )
        return Profile(id=rows[0][0], createdDateTime=rows[0][1]) if rows else None

    def delete_profile(self, tenant_id: str, object_id: str) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM profiles WHERE tenant_id=? AND object_id=?", (tenant_id, object_id)).rowcount == 0:
                raise NotFound("The profile does not exist.")
            for table in ("accounts", "idempotency"):
                db.execute(f"DELETE FROM {table} WHERE tenant_id=? AND object_id=?", (tenant_id, object_id))

    # --- accounts ----------------------------------------------------------------------------
    def add_account(
        self,
        tenant_id: str,
        object_id: str,
        account: Account,
        *,
        profile_if_missing: Profile,
        max_accounts: int,
        idempotency: IdempotencyRecord | None = None,
    ) -> Versioned[Account]:
        etag = _new_etag()
        with self._write() as db:
            if idempotency is not None:
                existing = _idempotency(db, tenant_id, object_id, idempotency.key)
                if existing is not None:
                    raise IdempotencyReplay(existing)
            (count,) = db.execute(
                "SELECT COUNT(*) FROM accounts WHERE tenant_id=? AND object_id=?", (tenant_id, object_id)
            ).fetchone()
            if count >= max_accounts:
                raise QuotaExceeded(f"A user can have at most {max_accounts} accounts.")
            _insert_profile(db, tenant_id, object_id, profile_if_missing)
            inserted = db.execute(
                "INSERT OR IGNORE INTO accounts (tenant_id, object_id, id, sort_key, etag, data) VALUES (?,?,?,?,?,?)",
                (tenant_id, object_id, account.id, sort_key(account), etag, account.model_dump_json()),
            )
            if inserted.rowcount == 0:
                raise Conflict("An account with this id already exists.")
            if idempotency is not None:
                db.execute(
                    "INSERT OR REPLACE INTO idempotency VALUES (?,?,?,?,?,?,?)",
                    (tenant_id, object_id, idempotency.key, idempotency.fingerprint, idempotency.resource_id,
                     json.dumps(idempotency.response), idempotency.expires_at),
                )
        return Versioned(account, etag)

    def get_account(self, tenant_id: str, object_id: str, account_id: str) -> Versioned[Account] | None:
        rows = self._read(
            "SELECT data, etag FROM accounts WHERE tenant_id=? AND object_id=? AND id=?",
            (tenant_id, object_id, account_id),
        )
        return _account(rows[0]) if rows else None

    def list_accounts(
        self, tenant_id: str, object_id: str, *, limit: int, cursor: str | None = None
    ) -> Page[Versioned[Account]]:
        after = decode_cursor(cursor) if cursor else ""
        rows = self._read(
            "SELECT data, etag, sort_key FROM accounts WHERE tenant_id=? AND object_id=? AND sort_key>? "
            "ORDER BY sort_key LIMIT ?",
            (tenant_id, object_id, after, limit + 1),
        )
        items = [_account(row) for row in rows[:limit]]
        more = len(rows) > limit
        return Page(items, encode_cursor(rows[limit - 1][2]) if more else None)

    def replace_account(
        self, tenant_id: str, object_id: str, account: Account, *, if_match: str | None
    ) -> Versioned[Account]:
        etag = _new_etag()
        with self._write() as db:
            _check_etag(db, tenant_id, object_id, account.id, if_match)
            db.execute(
                "UPDATE accounts SET data=?, etag=? WHERE tenant_id=? AND object_id=? AND id=?",
                (account.model_dump_json(), etag, tenant_id, object_id, account.id),
            )
        return Versioned(account, etag)

    def delete_account(self, tenant_id: str, object_id: str, account_id: str, *, if_match: str | None) -> None:
        with self._write() as db:
            _check_etag(db, tenant_id, object_id, account_id, if_match)
            db.execute(
                "DELETE FROM accounts WHERE tenant_id=? AND object_id=? AND id=?", (tenant_id, object_id, account_id)
            )

    def get_idempotency_record(self, tenant_id: str, object_id: str, key: str) -> IdempotencyRecord | None:
        return _idempotency(self._conn(), tenant_id, object_id, key)


def _user(tenant_id: str, row: tuple) -> DirectoryUser:
    return DirectoryUser(
        tenant_id=tenant_id, object_id=row[0], user_principal_name=row[1], display_name=row[2], age_group=row[3]
    )


def _account(row: tuple) -> Versioned[Account]:
    return Versioned(Account.model_validate_json(row[0]), row[1])


def _insert_profile(db: sqlite3.Connection, tenant_id: str, object_id: str, profile: Profile) -> bool:
    cur = db.execute(
        "INSERT OR IGNORE INTO profiles (tenant_id, object_id, id, created) VALUES (?,?,?,?)",
        (tenant_id, object_id, profile.id, profile.createdDateTime),
    )
    return cur.rowcount == 1


def _check_etag(db: sqlite3.Connection, tenant_id: str, object_id: str, account_id: str, if_match: str | None) -> None:
    row = db.execute(
        "SELECT etag FROM accounts WHERE tenant_id=? AND object_id=? AND id=?", (tenant_id, object_id, account_id)
    ).fetchone()
    if row is None:
        raise NotFound("The account does not exist.")
    if if_match not in (None, "*", row[0]):
        raise PreconditionFailed("The entity tag does not match the current version of the account.")


def _idempotency(db: sqlite3.Connection, tenant_id: str, object_id: str, key: str) -> IdempotencyRecord | None:
    row = db.execute(
        "SELECT key, fingerprint, resource_id, response, expires_at FROM idempotency "
        "WHERE tenant_id=? AND object_id=? AND key=? AND expires_at>?",
        (tenant_id, object_id, key, int(time.time())),
    ).fetchone()
    if row is None:
        return None
    return IdempotencyRecord(key=row[0], fingerprint=row[1], resource_id=row[2], response=json.loads(row[3]), expires_at=row[4])
