"""Print what the Graph directory adapter costs: at import, on the first lookup, and per warm request.

    .venv/bin/python benchmarks/directory.py [PROCESSES] [ROUNDS]

Import figures are medians over PROCESSES fresh interpreters (each imports `function_app` first, as
the worker does, then the named modules, timing each step):
- `import function_app` itself, and whether it loaded azure-core / azure-identity (it must not);
- `shared.directory.graph`: what building the Graph directory adds (once, on the first request);
- azure-core's pipeline, transport and policies: what the first Graph lookup adds;
- azure-identity: what the first lookup adds on an https endpoint (a token is needed).
Request figures, medians over ROUNDS against the Graph stub on 127.0.0.1 (tests/support/graph_stub.py):
- a warm lookup (cache hit) by UPN and by object id, in µs — the per-request cost once warm;
- a cold lookup (cache miss: one GET over loopback HTTP through azure-core), in ms;
- the local directory's UPN lookup on a real SQLite file, in µs, for comparison.
Figures only, no assertions. `figures()` returns them as a dict for `make bench`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TENANT = "3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c"
OID = "6e2c3f1a-4b5d-4c7e-8f90-a1b2c3d4e5f6"
UPN = "Adele.Vance@contoso.test"

_IMPORT_PROBE = """
import json, sys, time
steps = {}
def timed(name, statement):
    started = time.perf_counter()
    exec(statement, {})
    steps[name] = (time.perf_counter() - started) * 1000
timed("function_app_ms", "import function_app")
steps["function_app_loads_azure_core"] = float("azure.core" in sys.modules)
steps["function_app_loads_azure_identity"] = float("azure.identity" in sys.modules)
timed("graph_adapter_ms", "import shared.directory.graph")
timed("first_lookup_azure_core_ms",
      "import azure.core.pipeline, azure.core.pipeline.policies, azure.core.pipeline.transport, azure.core.rest")
timed("first_lookup_azure_identity_ms", "import azure.identity")
print(json.dumps(steps))
"""


def import_figures(processes: int = 7) -> dict[str, float]:
    """Median ms of each import step over `processes` fresh interpreters."""
    runs = []
    for _ in range(processes):
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def _median(call: Callable[[], Any], rounds: int, batch: int) -> float:
    """Median over rounds of the mean seconds per call."""
    per_round = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(batch):
            call()
        per_round.append((time.perf_counter() - started) / batch)
    return statistics.median(per_round)


def request_figures(rounds: int = 31) -> dict[str, float]:
    """Warm and cold lookup costs through the Graph adapter, and the local adapter's for comparison."""
    from shared.auth import Principal
    from shared.directory.cache import CachePolicy, DirectoryCache
    from shared.directory.graph import GraphDirectory
    from shared.directory.graph_client import GraphClient
    from shared.directory.local import LocalDirectory
    from shared.repository.sqlite import SqliteRepository
    from tests.support.graph_stub import GraphStub

    stub = GraphStub().start()
    try:
        stub.add_user(UPN, oid=OID, age_group="adult")
        warm = GraphDirectory(GraphClient(stub.base_url))
        warm.by_upn(TENANT, UPN)  # fills the cache (and builds the pipeline) outside timing
        calls_before = stub.user_requests
        warm_upn = _median(lambda: warm.by_upn(TENANT, UPN.lower()), rounds, 2000)
        warm_id = _median(lambda: warm.by_id(TENANT, OID), rounds, 2000)
        warm_calls = stub.user_requests - calls_before
        cold = GraphDirectory(GraphClient(stub.base_url), DirectoryCache(CachePolicy(size=0)))
        cold.by_upn(TENANT, UPN)  # the pipeline is built once; every later lookup is a miss
        cold_lookup = _median(lambda: cold.by_upn(TENANT, UPN), rounds, 10)
    finally:
        stub.stop()
    with tempfile.TemporaryDirectory() as folder:
        repo = SqliteRepository(str(Path(folder) / "profiles.sqlite3"))
        local = LocalDirectory(repo)
        local.remember(
            Principal(
                tenant_id=TENANT,
                object_id=OID,
                is_app=False,
                scopes=frozenset(),
                roles=frozenset(),
                app_id=None,
                app_display_name=None,
                upn=UPN,
                display_name="Adele",
            )
        )
        local_upn = _median(lambda: local.by_upn(TENANT, UPN), rounds, 500)
        repo.close()
    return {
        "warm_lookup_by_upn_us": warm_upn * 1e6,
        "warm_lookup_by_id_us": warm_id * 1e6,
        "warm_lookup_graph_calls": float(warm_calls),
        "cold_lookup_loopback_ms": cold_lookup * 1e3,
        "local_lookup_by_upn_us": local_upn * 1e6,
    }


def figures(processes: int = 7, rounds: int = 31) -> dict[str, float]:
    """Every figure of this benchmark (ms / µs / counts), for `make bench`."""
    return {**import_figures(processes), **request_figures(rounds)}


def main() -> None:
    processes = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 31
    result = figures(processes, rounds)
    print(f"Graph directory adapter: imports (median of {processes} fresh processes)\n")
    rows = (
        ("import function_app (context)", "function_app_ms"),
        ("+ shared.directory.graph (directory built)", "graph_adapter_ms"),
        ("+ azure-core pipeline (first Graph lookup)", "first_lookup_azure_core_ms"),
        ("+ azure-identity (first lookup, https only)", "first_lookup_azure_identity_ms"),
    )
    for label, name in rows:
        print(f"{label:<46} {result[name]:>8.1f} ms")
    loads = [
        lib
        for lib, name in (
            ("azure-core", "function_app_loads_azure_core"),
            ("azure-identity", "function_app_loads_azure_identity"),
        )
        if result[name]
    ]
    print(f"azure SDK modules loaded by `import function_app`: {', '.join(loads) or 'none'}")
    print(f"\nLookups (median of {rounds} rounds)\n")
    print(f"{'warm, by UPN (cache hit)':<46} {result['warm_lookup_by_upn_us']:>8.2f} µs")
    print(f"{'warm, by object id (cache hit)':<46} {result['warm_lookup_by_id_us']:>8.2f} µs")
    print(f"{'Graph calls made by the warm lookups':<46} {result['warm_lookup_graph_calls']:>8.0f}")
    print(f"{'cold, one GET to the loopback stub':<46} {result['cold_lookup_loopback_ms']:>8.2f} ms")
    print(f"{'local directory by UPN (SQLite), comparison':<46} {result['local_lookup_by_upn_us']:>8.2f} µs")


if __name__ == "__main__":
    main()
