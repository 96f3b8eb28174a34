"""Print round trips and mean latency of N account creates, sqlite vs cosmos, side by side.

    .venv/bin/python benchmarks/cosmos_round_trips.py [N]

Cosmos runs against the local test server (@vercel/cosmosdb-server, started here) and counts the
HTTP requests that leave the client; SQLite counts SQL statements (in-process, no network).
Scenarios: create by object id (profile exists), and create by UPN (one UPN resolution first).
Figures only, no assertions. Test-server latency is NOT the service's: it closes every connection,
so each request pays a new TLS handshake.
"""
from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.repository.cosmos import CosmosRepository  # noqa: E402
from shared.repository.sqlite import SqliteRepository  # noqa: E402
from tests.contract.cosmos_transports import CountingTransport  # noqa: E402
from tests.contract.helpers import account, guid, profile, user  # noqa: E402
from tests.support.cosmos_server import CosmosServer, create_database, settings_for  # noqa: E402


class SqlCounter:
    """Counts SQL statements of every sqlite3 connection opened after install()."""

    def __init__(self) -> None:
        self.reads = self.writes = 0

    def install(self) -> None:
        original = sqlite3.connect

        def connect(*args, **kwargs):  # type: ignore[no-untyped-def]
            conn = original(*args, **kwargs)
            conn.set_trace_callback(self._seen)
            return conn

        sqlite3.connect = connect  # type: ignore[assignment]

    def _seen(self, sql: str) -> None:
        verb = sql.lstrip().split(" ", 1)[0].upper()
        if verb == "SELECT":
            self.reads += 1
        elif verb in ("INSERT", "UPDATE", "DELETE"):
            self.writes += 1

    def reset(self) -> None:
        self.reads = self.writes = 0


def measure(n: int, create: Callable[[], None], counter) -> tuple[float, float, float]:
    """(reads per create, writes per create, mean milliseconds)."""
    counter.reset()
    started = time.perf_counter()
    for _ in range(n):
        create()
    elapsed = time.perf_counter() - started
    return counter.reads / n, counter.writes / n, elapsed / n * 1000


def scenarios(repo, n: int, counter) -> dict[str, tuple[float, float, float]]:
    tenant, oid = guid(), guid()
    upn = f"bench-{oid[:8]}@contoso.com"
    repo.record_user(user(tenant, oid, upn))
    repo.create_profile(tenant, oid, profile())

    def by_oid() -> None:
        repo.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=10 * n)

    def by_upn() -> None:
        found = repo.find_user_by_upn(tenant, upn.upper())
        repo.add_account(tenant, found.object_id, account(), profile_if_missing=profile(), max_accounts=10 * n)

    return {"create by oid": measure(n, by_oid, counter), "create by UPN": measure(n, by_upn, counter)}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    sql = SqlCounter()
    sql.install()
    with tempfile.TemporaryDirectory() as tmp:
        lite = SqliteRepository(str(Path(tmp) / "bench.sqlite3"))
        lite_figures = scenarios(lite, n, sql)
        lite.close()
    server = CosmosServer().start()
    try:
        settings = settings_for(server)
        create_database(settings)
        transport = CountingTransport()
        cosmos = CosmosRepository.from_settings(settings, transport=transport)
        cosmos.get_profile(guid(), guid())  # connect once, outside the measurement
        cosmos_figures = scenarios(cosmos, n, transport)
        cosmos.close()
    finally:
        server.stop()
    print(f"N = {n} creates per scenario; sqlite counts SQL statements, cosmos counts HTTP requests\n")
    print(f"{'scenario':<15} {'adapter':<7} {'reads':>6} {'writes':>6} {'total':>6} {'mean ms':>9}")
    for name in lite_figures:
        for adapter, (reads, writes, ms) in (("sqlite", lite_figures[name]), ("cosmos", cosmos_figures[name])):
            print(f"{name:<15} {adapter:<7} {reads:>6.2f} {writes:>6.2f} {reads + writes:>6.2f} {ms:>9.2f}")
        ratio = cosmos_figures[name][2] / lite_figures[name][2]
        print(f"{'':<15} {'ratio':<7} {'':>6} {'':>6} {'':>6} {ratio:>8.1f}x  (cosmos / sqlite mean latency)")


if __name__ == "__main__":
    main()
