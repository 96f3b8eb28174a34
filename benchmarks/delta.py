"""Delta rounds (contract §12) beside a full read, on both stores, through the delta service in process.

    .venv/bin/python benchmarks/delta.py

Per user: one user's 100 skills. A round with no changes, with 10 changes (10 facets patched), and
with 1,000 changes (each of the 100 facets patched 10 times: the round delivers 100 items, each
facet's last state), beside the full list of the same collection (`list_facets` + wire bodies, what
GET .../skills does before paging).
Tenant-wide: 100 users x 10 skills. A round with no changes, with 10 changes and with 1,000 changes
(the 1,000 creates), beside a full read of the tenant's skills (a first round, 10 pages of 100).

Store round trips are counted: SQLite statements (one a page), Cosmos HTTP requests at the transport
(test server). Cosmos tenant-wide rounds re-read what was written in the 60 s before the previous
round (the overlap, docs/data-model.md; skipped, never delivered twice); the "no changes" row is also
given for a round taken 60 s or more after the last write, by moving the reader's clock, which
changes only where the window starts. Figures only, no assertions; `figures()` returns them for
`make bench`. Latency on the test server is not the service's (each request is a new TLS connection).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared.auth import Principal  # noqa: E402
from shared.facets.catalog.work import SKILLS  # noqa: E402
from shared.facets.wire import to_wire  # noqa: E402
from shared.models import DirectoryUser  # noqa: E402
from shared.repository import ProfileRepository  # noqa: E402
from shared.services.delta import DeltaOptions, Feed, run_round  # noqa: E402
from shared.services.users import Target  # noqa: E402
from tests.contract.helpers import changed, facet, guid  # noqa: E402

KEY = b"b" * 32
USERS, PER_USER = 100, 10
Counter = Callable[[], int]


def _principal(tenant: str, oid: str, app: bool) -> Principal:
    return Principal(
        tenant_id=tenant,
        object_id=oid,
        is_app=app,
        scopes=frozenset() if app else frozenset({"User.ReadWrite"}),
        roles=frozenset({"User.Read.All"}) if app else frozenset(),
        app_id=guid(),
        app_display_name="bench",
        upn=None,
        display_name="Bench",
    )


def _round(repo: ProfileRepository, principal: Principal, feed: Feed, token: str | None) -> tuple[int, str]:
    """One whole round from a deltaLink token (None: a first round): (items, the next deltaLink token)."""
    options = DeltaOptions(None, None, token)
    items = 0
    while True:
        page = run_round(repo, principal, feed, options, key=KEY)
        items += len(page.items)
        if page.delta_token is not None:
            return items, page.delta_token
        options = DeltaOptions(None, page.next_token, None)


def _measure(action: Callable[[], Any], count: Counter, reps: int) -> tuple[float, float, Any]:
    """(median ms, store round trips of one run, the last result)."""
    times, trips, result = [], 0, None
    for _ in range(reps):
        before = count()
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
        trips = count() - before
    return statistics.median(times), float(trips), result


def scenario(repo: ProfileRepository, count: Counter, store: str, reps: int) -> dict[str, float]:
    result: dict[str, float] = {}

    def record(name: str, action: Callable[[], Any]) -> Any:
        ms, trips, value = _measure(action, count, reps)
        result[f"{store}_{name}_ms"], result[f"{store}_{name}_round_trips"] = ms, trips
        if isinstance(value, tuple):
            result[f"{store}_{name}_items"] = float(value[0])
        return value

    # --- per user --------------------------------------------------------------------------------
    tenant, oid = guid(), guid()
    owner = _principal(tenant, oid, app=False)
    feed = Feed(tenant, Target(tenant, oid, True, DirectoryUser(tenant_id=tenant, object_id=oid)), (SKILLS,))
    stored = [repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=100).value for _ in range(100)]
    user = DirectoryUser(tenant_id=tenant, object_id=oid)
    record(
        "user_full_list",
        lambda: (
            len([to_wire(SKILLS, item.value, user) for item in repo.list_facets(tenant, oid, [SKILLS])["skills"]]),
        ),
    )
    _, start = _round(repo, owner, feed, None)
    record("user_no_changes", lambda: _round(repo, owner, feed, start))
    for item in stored[:10]:
        repo.replace_facet(tenant, oid, SKILLS, changed(item), if_match=None)
    record("user_10_changes", lambda: _round(repo, owner, feed, start))
    _, start = _round(repo, owner, feed, start)
    for _ in range(10):
        for item in stored:
            repo.replace_facet(tenant, oid, SKILLS, changed(item), if_match=None)
    record("user_1000_changes", lambda: _round(repo, owner, feed, start))

    # --- tenant-wide -----------------------------------------------------------------------------
    tenant = guid()
    app = _principal(tenant, guid(), app=True)
    everyone = Feed(tenant, None, (SKILLS,))
    before_writes = run_round(repo, app, everyone, DeltaOptions(None, None, "latest"), key=KEY).delta_token
    made = []
    for _ in range(USERS):
        someone = guid()
        made += [
            (someone, repo.add_facet(tenant, someone, SKILLS, facet(SKILLS), max_count=100).value)
            for _ in range(PER_USER)
        ]
    record("tenant_full_read", lambda: _round(repo, app, everyone, None))
    record("tenant_1000_changes", lambda: _round(repo, app, everyone, before_writes))
    _, start = _round(repo, app, everyone, None)
    record("tenant_no_changes", lambda: _round(repo, app, everyone, start))
    for someone, item in made[:: len(made) // 10][:10]:
        repo.replace_facet(tenant, someone, SKILLS, changed(item), if_match=None)
    record("tenant_10_changes", lambda: _round(repo, app, everyone, start))
    return result


@contextmanager
def _sqlite() -> Iterator[tuple[ProfileRepository, Counter]]:
    import sqlite3

    from shared.repository.sqlite import SqliteRepository

    statements = [0]
    connect = sqlite3.connect

    def counted(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(
            lambda sql: statements.__setitem__(
                0,
                statements[0]
                + (0 if sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")) else 1),
            )
        )
        return conn

    with tempfile.TemporaryDirectory() as folder:
        sqlite3.connect = counted  # type: ignore[assignment]  # the bench's own process only
        try:
            repo = SqliteRepository(str(Path(folder) / "delta.sqlite3"))
            try:
                yield repo, lambda: statements[0]
            finally:
                repo.close()
        finally:
            sqlite3.connect = connect


@contextmanager
def _cosmos() -> Iterator[tuple[ProfileRepository, Counter]]:
    from benchmarks.cosmos_round_trips import _repository

    with _repository() as (repo, transport):
        yield repo, lambda: transport.total


def figures(reps: int = 5) -> dict[str, float]:
    result: dict[str, float] = {}
    with _sqlite() as (repo, count):
        result.update(scenario(repo, count, "sqlite", reps))
    with _cosmos() as (repo, count):
        result.update(scenario(repo, count, "cosmos", max(1, reps // 2)))
        from shared.repository.cosmos import repository as cosmos

        tenant = guid()
        app = _principal(tenant, guid(), app=True)
        everyone = Feed(tenant, None, (SKILLS,))
        for _ in range(20):
            repo.add_facet(tenant, guid(), SKILLS, facet(SKILLS), max_count=100)
        real = time.time  # the reader's clock, moved past the overlap for this round only (no write follows)
        time.time = lambda: real() + 2 * cosmos.TENANT_OVERLAP_S
        try:
            _, start = _round(repo, app, everyone, None)
            ms, trips, value = _measure(lambda: _round(repo, app, everyone, start), count, max(1, reps // 2))
        finally:
            time.time = real
        result["cosmos_tenant_no_changes_quiet_ms"] = ms
        result["cosmos_tenant_no_changes_quiet_round_trips"] = trips
        result["cosmos_tenant_no_changes_quiet_items"] = float(value[0])
    return result


def main() -> None:
    result = figures()
    names = dict.fromkeys(name.rsplit("_", 1)[0] for name in result if name.endswith("_ms"))
    print(f"{'round':<40} {'ms':>9} {'trips':>6} {'items':>6}")
    for name in names:
        print(
            f"{name:<40} {result[name + '_ms']:>9.2f} {result[name + '_round_trips']:>6.0f} "
            f"{result.get(name + '_items', float('nan')):>6.0f}"
        )


if __name__ == "__main__":
    main()
