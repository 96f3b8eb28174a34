"""Writers in one process queue on the file's write lock and never meet SQLite's busy handler; a
writer in another process makes writes busy (503, Retry-After), never broken; reads never wait."""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from shared.errors import ServiceUnavailable
from shared.repository.sqlite import SqliteRepository
from shared.repository.sqlite.store import FifoLock, write_lock
from tests.contract.helpers import POSITIONS, SKILLS, changed, facet, guid, record, together, user

TENANT = guid()


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "concurrency.sqlite3")


def test_a_new_file_opened_while_another_connection_writes_it_waits_then_opens_in_wal_mode(path: str) -> None:
    """Switching a file to WAL meets another connection's transaction with "locked" at once (SQLite does not
    run its busy handler for it): opening waits for the transaction instead, within the busy timeout."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE other (x)")  # a file in rollback-journal mode, as a first opener leaves it
    holder.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.3, holder.execute, args=("COMMIT",))
    timer.start()
    started = time.monotonic()
    repository = SqliteRepository(path, busy_timeout_s=10)
    try:
        assert time.monotonic() - started >= 0.25  # it waited for the other transaction
        assert repository.secret("key") == repository.secret("key")
        with contextlib.closing(sqlite3.connect(path)) as reader:
            assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        timer.join()
        repository.close()
        holder.close()


def test_a_new_file_opened_by_several_threads_at_once_opens_for_every_one(tmp_path: Path) -> None:
    """Several openers of one new file (threads, or function workers starting together) all succeed."""

    def open_and_close(path: str) -> str | None:
        try:
            SqliteRepository(path).close()
        except ServiceUnavailable as error:
            return repr(error.__cause__)
        return None

    for trial in range(10):
        path = str(tmp_path / f"new-{trial}.sqlite3")
        failures = [failure for failure in together(8, lambda _, path=path: open_and_close(path)) if failure]
        assert not failures, failures


@pytest.fixture
def foreign_writer(path: str) -> Iterator[sqlite3.Connection]:
    """Another process's connection (same file, its own locks) holding the write lock mid-transaction."""
    SqliteRepository(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO profiles (tenant_id, object_id) VALUES (?, ?)", (TENANT, "uncommitted"))
    yield db
    if db.in_transaction:
        db.execute("ROLLBACK")
    db.close()


def test_writers_in_one_process_never_collide(path):
    """With SQLite's busy handler off (timeout 0), any collision would fail at once: none does."""
    repo = SqliteRepository(path, busy_timeout_s=0)
    start = threading.Barrier(8)

    def write(n: int) -> int:
        oid = guid()
        start.wait()
        repo.record_user(user(TENANT, oid, f"user{n}@contoso.com"))
        for k in range(10):
            made = repo.add_facet(TENANT, oid, SKILLS, facet(SKILLS), max_count=100, idempotency=record(f"{n}-{k}"))
            repo.replace_facet(TENANT, oid, SKILLS, changed(made.value), if_match=made.etag)
            repo.add_facet(TENANT, oid, POSITIONS, facet(POSITIONS), max_count=100)
        repo.secret("shared")
        return len(repo.list_facets(TENANT, oid, [SKILLS, POSITIONS])["skills"])

    try:
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(write, range(8))) == [10] * 8
    finally:
        repo.close()


def test_a_writer_in_another_process_makes_writes_busy_and_reads_go_on(path, foreign_writer):
    repo = SqliteRepository(path, busy_timeout_s=0.05)
    oid = guid()
    try:
        with pytest.raises(ServiceUnavailable) as busy:
            repo.add_facet(TENANT, oid, SKILLS, facet(SKILLS), max_count=5)
        assert busy.value.status == 503 and busy.value.headers == {"Retry-After": "1"}
        assert busy.value.message == "The store is busy. Try again later."
        assert isinstance(busy.value.__cause__, sqlite3.OperationalError)
        # reads see the last committed state and do not wait (WAL)
        assert repo.list_facets(TENANT, oid, [SKILLS]) == {"skills": []}
        assert repo.get_user(TENANT, oid) is None
        foreign_writer.execute("COMMIT")
        repo.create_profile(TENANT, oid)  # the write lock was released after the failure
        assert repo.add_facet(TENANT, oid, SKILLS, facet(SKILLS), max_count=5).etag
    finally:
        repo.close()


def test_a_write_waits_for_this_process_writes_at_most_write_wait(path):
    repo = SqliteRepository(path, write_wait_s=0.05)
    lock = write_lock(path)  # the same lock every repository on this file in this process uses
    try:
        with lock, pytest.raises(ServiceUnavailable) as busy:
            repo.create_profile(TENANT, guid())
        assert busy.value.headers == {"Retry-After": "1"}
        assert repo.get_user(TENANT, guid()) is None  # reads never take the lock
        repo.create_profile(TENANT, guid())
    finally:
        repo.close()


def test_two_repositories_on_one_file_share_the_write_lock(path):
    impatient = [SqliteRepository(path, write_wait_s=0.05) for _ in range(2)]
    try:
        with write_lock(str(Path(path).parent / "." / Path(path).name)):  # any spelling of the path
            for repo in impatient:
                with pytest.raises(ServiceUnavailable):
                    repo.create_profile(TENANT, guid())
    finally:
        for repo in impatient:
            repo.close()
    first, second = (SqliteRepository(path, busy_timeout_s=0) for _ in range(2))
    start = threading.Barrier(8)

    def write(n: int) -> None:
        repo = (first, second)[n % 2]
        start.wait()
        for _ in range(20):
            repo.add_facet(TENANT, f"user-{n}", SKILLS, facet(SKILLS), max_count=100)

    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(write, range(8)))
        assert all(len(first.list_facets(TENANT, f"user-{n}", [SKILLS])["skills"]) == 20 for n in range(8))
    finally:
        first.close()
        second.close()


def _open_files(path: str) -> int:
    """File descriptors of this process open on the database file or its WAL."""
    fds = Path("/proc/self/fd")
    names = {path, f"{path}-wal"}
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) in names) if fds.exists() else 0


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc")
def test_connections_of_finished_threads_are_released(path):
    """A server that runs each request on a new thread must not leak a connection per request.

    (SQLite keeps a closed connection's descriptors for reuse while the process holds locks on the
    file, so the count settles rather than returning to one connection's.)
    """
    path = os.path.realpath(path)
    repo = SqliteRepository(path)

    def requests_on_new_threads() -> int:
        threads = [threading.Thread(target=repo.get_user, args=(TENANT, guid())) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        gc.collect()
        return _open_files(path)

    try:
        settled = requests_on_new_threads()
        assert all(requests_on_new_threads() <= settled for _ in range(4))
    finally:
        repo.close()
    assert _open_files(path) == 0


def test_close_then_use_again(path):
    repo = SqliteRepository(path)
    repo.create_profile(TENANT, "a")
    repo.close()
    repo.create_profile(TENANT, "b")  # a closed repository opens new connections on next use
    assert repo.list_facets(TENANT, "a", [SKILLS]) == {"skills": []}
    repo.close()


def test_the_write_lock_is_granted_in_arrival_order():
    """First come, first served: a plain lock lets the releasing thread take it back and others starve."""
    lock, order = FifoLock(), []
    lock.acquire()

    def take(n: int) -> None:
        with lock:
            order.append(n)

    threads = []
    for n in range(6):
        threads.append(threading.Thread(target=take, args=(n,)))
        threads[-1].start()
        while lock.queued < n + 1:  # until thread n waits in line
            time.sleep(0)
    lock.release()
    for thread in threads:
        thread.join()
    assert order == list(range(6))
    assert lock.acquire(timeout=0)  # free again
    lock.release()


def test_a_waiter_that_gives_up_leaves_the_line():
    lock = FifoLock()
    lock.acquire()
    assert lock.acquire(timeout=0.01) is False
    assert lock.queued == 0
    lock.release()
    assert lock.acquire(timeout=0)
    lock.release()
