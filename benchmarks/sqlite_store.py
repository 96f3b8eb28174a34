"""Print what the embedded SQLite store costs per operation.

    .venv/bin/python benchmarks/sqlite_store.py [OPS]

Scenarios (files in a temporary folder, same pragmas as the adapter; latencies are per call):
- a bare SQLite insert (one row, one BEGIN IMMEDIATE transaction) beside `add_facet`;
- `add_facet` (with an idempotency record) when 1k / 10k / 100k facets are already stored, spread
  over many users (10 per user, over 3 collections), loaded in bulk first;
- 8 writer threads at once, each creating facets for its own users: p50 / p99 / worst;
- `list_facets` of a collection holding 1 / 10 / 100 facets.
Figures only, no assertions. `figures()` returns them as a dict for `make bench`.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared.facets.catalog.account import ACCOUNT  # noqa: E402
from shared.facets.catalog.work import POSITIONS, SKILLS  # noqa: E402
from shared.facets.model import FacetType  # noqa: E402
from shared.facets.wire import to_store  # noqa: E402
from shared.models import IdempotencyRecord  # noqa: E402
from shared.repository.sqlite import SqliteRepository  # noqa: E402
from shared.repository.sqlite.store import CONNECTION_PRAGMAS  # noqa: E402

TENANT = "9f1c7d2e-0000-4000-8000-000000000001"
SIZES = (1_000, 10_000, 100_000)
LIST_SIZES = (1, 10, 100)
WRITERS = 8
PER_USER = 10


def _facet(facet_type: FacetType, n: int) -> dict[str, Any]:
    """A realistic stored facet (~600 bytes of JSON)."""
    who = {"application": None, "device": None, "user": {"id": str(uuid.uuid4()), "displayName": "Bench User"}}
    stamp = f"2026-03-01T12:{n // 60 % 60:02d}:{n % 60:02d}.1234567Z"
    return to_store(
        facet_type,
        {
            "id": str(uuid.uuid4()),
            "allowedAudiences": "organization",
            "createdDateTime": stamp,
            "createdBy": who,
            "lastModifiedDateTime": stamp,
            "lastModifiedBy": who,
            "source": {"type": ["User"]},
            "displayName": f"Facet {n}",
            "categories": ["engineering", "bench"],
            "countryCode": "NO",
            "detail": {"jobTitle": "Engineer", "company": {"displayName": "Contoso"}},
        },
    )


def _record(n: int) -> IdempotencyRecord:
    return IdempotencyRecord(
        key=uuid.uuid4().hex,
        fingerprint=uuid.uuid4().hex,
        resource_id=str(n),
        response={"id": str(n)},
        expires_at=int(time.time()) + 86400,
    )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(call: Callable[[int], object], count: int) -> list[float]:
    """µs of each of `count` calls (GC off while timing)."""
    enabled = gc.isenabled()
    gc.disable()
    samples = []
    try:
        for n in range(count):
            started = time.perf_counter_ns()
            call(n)
            samples.append((time.perf_counter_ns() - started) / 1000)
    finally:
        if enabled:
            gc.enable()
    return samples


@contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sqlite-bench-") as folder:
        yield Path(folder)


def bare_versus_add_facet(folder: Path, ops: int) -> dict[str, float]:
    """One row in one transaction, bare sqlite3 beside the adapter's add_facet (no idempotency record)."""
    repo = SqliteRepository(str(folder / "adapter.sqlite3"))
    bare = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
    try:
        bare.execute("PRAGMA journal_mode=WAL")
        for pragma in CONNECTION_PRAGMAS:
            bare.execute(pragma)
        bare.execute(
            "CREATE TABLE facets (tenant_id TEXT NOT NULL, object_id TEXT NOT NULL, collection TEXT NOT NULL,"
            " id TEXT NOT NULL, etag TEXT NOT NULL, data TEXT NOT NULL,"
            " PRIMARY KEY (tenant_id, object_id, collection, id))"
        )
        rows = [json.dumps(_facet(SKILLS, n)) for n in range(ops)]

        def insert(n: int) -> None:
            bare.execute("BEGIN IMMEDIATE")
            bare.execute(
                "INSERT INTO facets VALUES (?,?,?,?,?,?)",
                (TENANT, f"user-{n % 500}", "skills", str(uuid.uuid4()), '"etag"', rows[n]),
            )
            bare.execute("COMMIT")

        facets = [_facet(SKILLS, n) for n in range(ops)]
        bare_us = _timed(insert, ops)
        adapter_us = _timed(lambda n: repo.add_facet(TENANT, f"user-{n % 500}", SKILLS, facets[n], max_count=100), ops)
    finally:
        bare.close()
        repo.close()
    return {
        "bare_insert_p50_us": _percentile(bare_us, 0.5),
        "bare_insert_p99_us": _percentile(bare_us, 0.99),
        "add_facet_p50_us": _percentile(adapter_us, 0.5),
        "add_facet_p99_us": _percentile(adapter_us, 0.99),
    }


def _bulk_load(path: Path, start: int, stop: int) -> None:
    """Facets start..stop-1 straight into the adapter's tables, PER_USER per user over 3 collections."""
    types = (SKILLS, POSITIONS, ACCOUNT)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT INTO facets (tenant_id, object_id, collection, id, etag, data) VALUES (?,?,?,?,?,?)",
            (
                (
                    TENANT,
                    f"stored-{n // PER_USER}",
                    types[n % 3].collection,
                    str(uuid.uuid4()),
                    f'"{n}"',
                    json.dumps(_facet(types[n % 3], n)),
                )
                for n in range(start, stop)
            ),
        )
        db.executemany(
            "INSERT INTO profiles (tenant_id, object_id) VALUES (?,?) ON CONFLICT DO NOTHING",
            ((TENANT, f"stored-{u}") for u in range(start // PER_USER, stop // PER_USER)),
        )
        db.execute("COMMIT")
    finally:
        db.close()


def create_with_stored(folder: Path, ops: int, sizes: tuple[int, ...]) -> dict[str, float]:
    """add_facet (with an idempotency record) into existing users, at each size of the store."""
    path = folder / "sized.sqlite3"
    repo = SqliteRepository(str(path))
    result: dict[str, float] = {}
    stored = 0
    try:
        for size in sizes:
            _bulk_load(path, stored, size)
            stored = size
            samples = _creates(repo, size // PER_USER, ops)
            label = f"{size // 1000}k" if size >= 1000 else str(size)
            result[f"create_{label}_stored_p50_us"] = _percentile(samples, 0.5)
            result[f"create_{label}_stored_p99_us"] = _percentile(samples, 0.99)
    finally:
        repo.close()
    return result


def _creates(repo: SqliteRepository, users: int, ops: int) -> list[float]:
    """µs of `ops` creates, each into one of `users` existing users."""
    facets = [_facet(SKILLS, n) for n in range(ops)]
    return _timed(
        lambda n: repo.add_facet(
            TENANT, f"stored-{(n * 7919) % users}", SKILLS, facets[n], max_count=1000, idempotency=_record(n)
        ),
        ops,
    )


def concurrent_writers(folder: Path, per_writer: int) -> dict[str, float]:
    """WRITERS threads creating facets for their own users at once; latency of every call."""
    repo = SqliteRepository(str(folder / "concurrent.sqlite3"))
    samples: list[list[float]] = [[] for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)

    def writer(w: int) -> None:
        facets = [_facet(SKILLS, n) for n in range(per_writer)]
        start.wait()
        for n in range(per_writer):
            began = time.perf_counter_ns()
            repo.add_facet(TENANT, f"writer-{w}-{n % 20}", SKILLS, facets[n], max_count=1000, idempotency=_record(n))
            samples[w].append((time.perf_counter_ns() - began) / 1e6)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        repo.close()
    every = [value for per in samples for value in per]
    return {
        "writers8_p50_ms": _percentile(every, 0.5),
        "writers8_p99_ms": _percentile(every, 0.99),
        "writers8_worst_ms": max(every),
    }


def list_latency(folder: Path, ops: int) -> dict[str, float]:
    """list_facets of one collection holding n facets (the user also has facets in two other collections)."""
    repo = SqliteRepository(str(folder / "lists.sqlite3"))
    result: dict[str, float] = {}
    try:
        for size in LIST_SIZES:
            oid = f"lister-{size}"
            for n in range(size):
                repo.add_facet(TENANT, oid, SKILLS, _facet(SKILLS, n), max_count=1000)
            for facet_type in (POSITIONS, ACCOUNT):
                repo.add_facet(TENANT, oid, facet_type, _facet(facet_type, 0), max_count=1000)
            samples = _lists(repo, oid, ops)
            result[f"list_{size}_p50_us"] = _percentile(samples, 0.5)
            result[f"list_{size}_p99_us"] = _percentile(samples, 0.99)
    finally:
        repo.close()
    return result


def _lists(repo: SqliteRepository, oid: str, ops: int) -> list[float]:
    return _timed(lambda _: repo.list_facets(TENANT, oid, [SKILLS]), ops)


def figures(ops: int = 2000, sizes: tuple[int, ...] = SIZES) -> dict[str, float]:
    """Every scenario's figures (µs, or ms for the concurrent writers)."""
    result: dict[str, float] = {}
    with _folder() as folder:
        result.update(bare_versus_add_facet(folder, ops))
        result.update(create_with_stored(folder, max(1, ops // 4), sizes))
        result.update(concurrent_writers(folder, max(1, ops // WRITERS)))
        result.update(list_latency(folder, ops))
    return result


def main(argv: list[str]) -> None:
    ops = int(argv[1]) if len(argv) > 1 else 2000
    print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {ops} operations per scenario")
    for name, value in figures(ops).items():
        print(f"  {name:<32} {value:10.1f}")


if __name__ == "__main__":
    main(sys.argv)
