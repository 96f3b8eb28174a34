"""Connections, transactions and failure mapping for one SQLite file.

- Each thread has its own connection (closed by `close()`, or once its thread has ended and it is
  collected). The file is in WAL mode: reads run concurrently with each other and with a writer,
  and do not wait for writers.
- Writes are serialised in-process: one lock per file (shared by every repository on it in this
  process) is held around each `BEGIN IMMEDIATE` transaction. Without it, colliding writers meet in
  SQLite's busy handler, which sleeps with back-off: that was the whole write tail (`make bench`
  measures the concurrent-write rows). The lock is first come, first served: with a plain
  `threading.Lock` the releasing thread usually takes it straight back, so one writer runs while
  the others starve. The busy timeout stays for writers in other processes
  (several function workers, `make run` beside a test).
- No sqlite3 exception leaves: busy/locked -> `ServiceUnavailable(retry_after=1)`; anything else
  (I/O error, not a database, a file from a newer version) -> `ServiceUnavailable(retry_after=5)`.
  The sqlite3 error stays as `__cause__` for the log.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from shared.errors import ServiceUnavailable
from shared.repository.sqlite.schema import NewerSchema, rollback, upgrade

BUSY: Final = "The store is busy. Try again later."
UNAVAILABLE: Final = "The store is not available. Try again later."
#: Set on every connection (benchmarks/sqlite_store.py uses the same for its bare-SQLite baseline).
CONNECTION_PRAGMAS: Final = ("PRAGMA synchronous=NORMAL",)
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


class FifoLock:
    """A lock granted in the order it was asked for (a released lock goes straight to the longest waiter)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiters: collections.deque[threading.Lock] = collections.deque()
        self._held = False

    @property
    def queued(self) -> int:
        """How many threads are waiting for the lock."""
        return len(self._waiters)

    def acquire(self, timeout: float = -1) -> bool:
        """Wait at most `timeout` seconds (-1: for ever); True when the lock is ours."""
        with self._guard:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # handed over by release()
        with self._guard:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
        return True  # handed over between the timeout and the guard

    def release(self) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().release()  # ownership passes on; still held
            else:
                self._held = False

    def __enter__(self) -> FifoLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


_write_locks: dict[str, FifoLock] = {}
_write_locks_guard = threading.Lock()


def write_lock(path: str) -> FifoLock:
    """The process-wide write lock of the file at `path`."""
    key = os.path.normcase(os.path.realpath(path))
    with _write_locks_guard:
        return _write_locks.setdefault(key, FifoLock())


def is_busy(error: sqlite3.Error) -> bool:
    """The file is held by another connection (SQLITE_BUSY or SQLITE_LOCKED, whatever the extended code)."""
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (_SQLITE_BUSY, _SQLITE_LOCKED)


@contextlib.contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn sqlite3 failures into `ServiceUnavailable`; the port's own errors pass through."""
    try:
        yield
    except sqlite3.Error as error:
        busy = is_busy(error)
        raise ServiceUnavailable(BUSY if busy else UNAVAILABLE, retry_after=1 if busy else 5) from error
    except NewerSchema as error:
        raise ServiceUnavailable(UNAVAILABLE, retry_after=5) from error


class _Connection(sqlite3.Connection):
    """A connection that can be weakly referenced (the base class cannot), so a finished thread's goes away."""


class SqliteStore:
    """The file at `path`, opened (and upgraded to the current schema) on construction."""

    def __init__(self, path: str, *, busy_timeout_s: float, write_wait_s: float) -> None:
        self.path = path
        self._busy_timeout_s = busy_timeout_s
        self._write_wait_s = write_wait_s
        self._lock = write_lock(path)
        self._local = threading.local()
        self._connections: weakref.WeakSet[sqlite3.Connection] = weakref.WeakSet()
        self._guard = threading.Lock()
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ServiceUnavailable(UNAVAILABLE, retry_after=5) from error
        with mapped_errors():
            conn = self.connection()
            self._use_wal(conn)
            upgrade(conn)

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        """Put the file in WAL mode (a no-op once it is). Switching needs the file to itself, and SQLite
        answers a switch that meets another connection's transaction with "locked" at once, without its busy
        handler: so several openers of a new file (threads, or function workers starting together) try again
        until the busy timeout, as every other statement waits."""
        deadline = time.monotonic() + self._busy_timeout_s
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if not is_busy(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.01)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 errors are the caller's to map)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,
                factory=_Connection,
            )
            for pragma in CONNECTION_PRAGMAS:
                conn.execute(pragma)
            self._local.conn = conn
            with self._guard:
                self._connections.add(conn)
        return conn

    def read(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        """All rows of one query, outside any transaction (a consistent snapshot of the file)."""
        with mapped_errors():
            return self.connection().execute(sql, args).fetchall()

    def stream(self, sql: str, args: tuple[Any, ...], batch: int = 64) -> Iterator[Any]:
        """The rows of one query, fetched `batch` at a time as the caller iterates (one snapshot of the file)."""
        with mapped_errors():
            cursor = self.connection().execute(sql, args)
            try:
                while rows := cursor.fetchmany(batch):
                    yield from rows
            finally:
                cursor.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One `BEGIN IMMEDIATE` transaction under the process's write lock; committed unless the body raises."""
        if not self._lock.acquire(timeout=self._write_wait_s):
            raise ServiceUnavailable(BUSY, retry_after=1)
        try:
            with mapped_errors():
                conn = self.connection()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    rollback(conn)
                    raise
        finally:
            self._lock.release()

    def close(self) -> None:
        """Close every thread's connection; the next use opens new ones."""
        with self._guard:
            connections, self._connections = list(self._connections), weakref.WeakSet()
            self._local = threading.local()
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
