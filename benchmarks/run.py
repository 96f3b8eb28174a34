"""`make bench`: one table, measured in one run, each figure beside its floor, the ratio and the goal.

    .venv/bin/python benchmarks/run.py [--quick] [--no-sweep] [--only SECTION ...]

Sections (project and floor alternate within every repetition, so machine noise hits both; each
figure is the median of the repetitions):
- cold:   `import function_app` + what the worker does to index it (get_functions, raw bindings, each
          function's signature) in a fresh interpreter, ms and +MB RSS, beside the bare one-function
          app (benchmarks/bare_app); spawn of `python -m devhost` → first 201 of a facet POST with a
          token, beside the bare app's first 200 on the same host. Interpreters run with a bytecode
          cache (PYTHONPYCACHEPREFIX, written once before timing), as a deployed app has one.
- http:   warm create over HTTP (one client, keep-alive) beside the bare app's POST; 8 concurrent
          writers (p50, p99, worst); list latency over HTTP at 1/10/100 items; one `$batch` of 20 creates
          beside the same 20 creates sent directly (one client, keep-alive).
- inproc: token check (benchmarks/token_check.py), validation of a typical body, the SQLite store
          (benchmarks/sqlite_store.py), the query engine (benchmarks/query_engine.py), the costliest
          `$filter` accepted over 100 maximal facets and the peak RSS growth of a local host for `$expand=*`
          over the red-team profile, 1 and 4 requests (benchmarks/limits.py), the Graph
          directory adapter (benchmarks/directory.py), Cosmos round trips and RU on paper
          (benchmarks/cosmos_round_trips.py, when its figures() exists), delta rounds with 0, 10 and
          1,000 changes beside a full read, per user and tenant-wide, on both stores (benchmarks/delta.py).
- sweep:  throughput and p50/p99 of creates at 1/4/8/16/32 concurrent clients with as
          many host threads, on the SQLite store and on the same store behind 10 ms of simulated
          network wait per store call (benchmarks/io_app: what Cosmos DB makes a create wait).
Figures only: nothing here fails on a slow machine (a goal not met is marked, not raised).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.http_host import (  # noqa: E402
    ACCOUNT_BODY,
    BARE_PATH,
    BARE_ROOT,
    SKILL_BODY,
    Client,
    EntraLike,
    Environment,
    Host,
    auth,
)

PROJECT_ROOT = ROOT
IO_ROOT = Path(__file__).resolve().parent / "io_app"
CREATE_PATH = "/api/me/profile/account"
SECTIONS = ("cold", "http", "inproc", "sweep")


@dataclass
class Row:
    """One line of the table: `value` beside `floor` (same unit), the ratio and the goal (a max ratio)."""

    figure: str
    value: float | str
    unit: str = ""
    floor: float | None = None
    goal: float | None = None
    note: str = ""
    ratio_of: tuple[float, float] | None = None  # when the goal is on a ratio other than value/floor

    @property
    def ratio(self) -> float | None:
        if self.ratio_of is not None:
            return self.ratio_of[0] / self.ratio_of[1] if self.ratio_of[1] else None
        if self.floor and isinstance(self.value, float):
            return self.value / self.floor
        return None


@dataclass
class Scale:
    """How much to measure (`--quick` for a smoke run)."""

    cold_reps: int = 11
    create_rounds: int = 30
    create_batch: int = 20
    writer_bursts: int = 3
    per_writer: int = 60
    list_rounds: int = 15
    list_batch: int = 10
    token_rounds: int = 21
    sqlite_ops: int = 1000
    sqlite_sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    directory_processes: int = 5
    sweep_levels: tuple[int, ...] = (1, 4, 8, 16, 32)
    sweep_seconds: float = 1.5
    sweep_rounds: int = 3


QUICK = Scale(
    cold_reps=2,
    create_rounds=2,
    create_batch=3,
    writer_bursts=1,
    per_writer=4,
    list_rounds=2,
    list_batch=2,
    token_rounds=3,
    sqlite_ops=16,
    sqlite_sizes=(100, 1000),
    directory_processes=1,
    sweep_levels=(1, 4),
    sweep_seconds=0.3,
    sweep_rounds=1,
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def alternate(i: int, first: Callable[[], None], second: Callable[[], None]) -> None:
    """Run both, the order switching each repetition."""
    for step in (first, second) if i % 2 == 0 else (second, first):
        step()


# ------------------------------------------------------------------------------------------- cold start

_IMPORT_PROBE = r"""
import inspect, json, os, time
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
before = rss_mb()
started = time.perf_counter()
import function_app
imported = time.perf_counter()
rss_imported = rss_mb()
from azure.functions import FunctionRegister
app = next(v for v in vars(function_app).values() if isinstance(v, FunctionRegister))
functions = app.get_functions()
for function in functions:
    function.get_raw_bindings()
    inspect.signature(function.get_user_function())
indexed = time.perf_counter()
print(json.dumps({"import_ms": (imported - started) * 1e3, "index_ms": (indexed - started) * 1e3,
                  "import_rss_mb": rss_imported - before, "index_rss_mb": rss_mb() - before,
                  "functions": len(functions)}))
"""


def cold_rows(environment: Environment, scale: Scale) -> list[Row]:
    """Import + index in fresh interpreters, and spawn → first answer, project and bare app alternating."""
    runs: dict[str, list[dict[str, float]]] = {"project": [], "bare": []}

    def probe(name: str, root: Path) -> Callable[[], None]:
        return lambda: runs[name].append(json.loads(environment.python(_IMPORT_PROBE, root).splitlines()[-1]))

    for root in (PROJECT_ROOT, BARE_ROOT):  # write the bytecode cache once, outside timing
        environment.python(_IMPORT_PROBE, root)
    for i in range(scale.cold_reps):
        alternate(i, probe("project", PROJECT_ROOT), probe("bare", BARE_ROOT))

    tokens = environment.tokens(scale.cold_reps + 1, prefix="cold")
    starts: dict[str, list[float]] = {"project": [], "bare": []}
    rss: dict[str, list[float]] = {"project": [], "bare": []}

    def first(name: str, i: int) -> Callable[[], None]:
        def run() -> None:
            host = Host(environment, PROJECT_ROOT if name == "project" else BARE_ROOT)
            try:
                if name == "project":
                    seconds = host.time_to_first("POST", CREATE_PATH, ACCOUNT_BODY, auth(tokens[i]), 201)
                else:
                    seconds = host.time_to_first("POST", BARE_PATH, b"{}", {"Content-Type": "application/json"}, 200)
                starts[name].append(seconds * 1e3)
                rss[name].append(host.rss_mb())
            finally:
                host.stop()

        return run

    first("project", scale.cold_reps)()  # the store file, the issuer's key files and the caches, outside timing
    for i in range(scale.cold_reps):
        alternate(i, first("project", i), first("bare", i))

    def of(name: str, key: str) -> float:
        return median([run[key] for run in runs[name]])

    functions = int(runs["project"][0]["functions"])
    return [
        Row(
            "import function_app + index (fresh interpreter)",
            of("project", "index_ms"),
            "ms",
            of("bare", "index_ms"),
            1.5,
            f"{functions} functions; import alone {of('project', 'import_ms'):.0f} vs {of('bare', 'import_ms'):.0f} ms",
        ),
        Row("  … + RSS", of("project", "index_rss_mb"), "MB", of("bare", "index_rss_mb"), 1.5),
        Row(
            "process start → first 201 (local host, POST account)",
            median(starts["project"]),
            "ms",
            median(starts["bare"]),
            1.5,
            "bare: first 200; spread "
            f"{min(starts['project']):.0f}-{max(starts['project']):.0f} vs "
            f"{min(starts['bare']):.0f}-{max(starts['bare']):.0f} ms",
        ),
        Row("  … RSS of the host after it", median(rss["project"]), "MB", median(rss["bare"]), None),
    ]


# ------------------------------------------------------------------------------------------- warm HTTP


@contextmanager
def hosts(
    environment: Environment, *roots: Path, threads: int = 8, extra_env: dict[str, str] | None = None
) -> Iterator[list[Host]]:
    started: list[Host] = []
    try:
        for root in roots:
            started.append(Host(environment, root, threads, extra_env).start())
        yield started
    finally:
        for host in started:
            host.stop()


def _expect(status: int, expected: int, what: str) -> None:
    if status != expected:
        raise RuntimeError(f"{what} answered {status}, expected {expected}")


def warm_create(project: Host, bare: Host, tokens: list[str], scale: Scale) -> list[Row]:
    p_client, b_client = Client(project.port), Client(bare.port)
    samples: dict[str, list[float]] = {"project": [], "bare": []}
    count = iter(range(10**9))

    def project_batch() -> None:
        for _ in range(scale.create_batch):
            status, _, seconds = p_client.call("POST", CREATE_PATH, ACCOUNT_BODY, auth(tokens[next(count) % 8]))
            _expect(status, 201, "create")
            samples["project"].append(seconds * 1e3)

    def bare_batch() -> None:
        for _ in range(scale.create_batch):
            status, _, seconds = b_client.call("POST", BARE_PATH, ACCOUNT_BODY, {"Content-Type": "application/json"})
            _expect(status, 200, "bare POST")
            samples["bare"].append(seconds * 1e3)

    try:
        for _ in range(3):  # warm both (first lookups, caches, connections)
            project_batch()
            bare_batch()
        samples = {"project": [], "bare": []}
        for i in range(scale.create_rounds):
            alternate(i, project_batch, bare_batch)
    finally:
        p_client.close()
        b_client.close()
    p, b = samples["project"], samples["bare"]
    return [
        Row(
            "warm create over HTTP, one client, keep-alive (median)",
            median(p),
            "ms",
            median(b),
            2.5,
            f"p99 {percentile(p, 0.99):.2f} vs {percentile(b, 0.99):.2f} ms; bare app POST as floor",
        )
    ]


def writers(
    host: Host, path: str, body: bytes, headers: list[dict[str, str]], per_writer: int, expected: int
) -> list[float]:
    """8 threads, one keep-alive connection each, `per_writer` requests each (bounded by 60 s); latencies in ms."""
    count = len(headers)
    samples: list[list[float]] = [[] for _ in range(count)]
    barrier = threading.Barrier(count)
    deadline = time.perf_counter() + 60
    failures: list[str] = []

    def writer(w: int) -> None:
        client = Client(host.port)
        try:
            barrier.wait()
            for _ in range(per_writer):
                if time.perf_counter() > deadline:
                    break
                status, _, seconds = client.call("POST", path, body, headers[w])
                if status != expected:
                    failures.append(f"{status}")
                    break
                samples[w].append(seconds * 1e3)
        finally:
            client.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"writers got {failures[:3]}")
    return [value for per in samples for value in per]


def concurrent_writers(project: Host, bare: Host, tokens: list[str], scale: Scale) -> list[Row]:
    p: list[float] = []
    b: list[float] = []
    project_headers = [auth(token) for token in tokens[:8]]
    bare_headers = [{"Content-Type": "application/json"}] * 8
    for i in range(scale.writer_bursts):
        alternate(
            i,
            lambda: p.extend(writers(project, CREATE_PATH, ACCOUNT_BODY, project_headers, scale.per_writer, 201)),
            lambda: b.extend(writers(bare, BARE_PATH, ACCOUNT_BODY, bare_headers, scale.per_writer, 200)),
        )
    p50, p99, b50, b99 = percentile(p, 0.5), percentile(p, 0.99), percentile(b, 0.5), percentile(b, 0.99)
    return [
        Row(
            "8 concurrent writers over HTTP: p99/p50",
            p99 / p50,
            "x",
            None,
            5.0,
            f"p50 {p50:.2f}, p99 {p99:.2f}, worst {max(p):.1f} ms ({len(p)} creates); "
            f"bare app p50 {b50:.2f}, p99 {b99:.2f}, worst {max(b):.1f} ms",
            ratio_of=(p99 / p50, 1.0),
        ),
    ]


def list_rows(project: Host, bare: Host, environment: Environment, scale: Scale) -> list[Row]:
    """GET a collection of 1 / 10 / 100 skills (each size its own user) beside the bare app's GET."""
    sizes = (1, 10, 100)
    tokens = dict(zip(sizes, environment.tokens(len(sizes), prefix="lister"), strict=True))
    p_client, b_client = Client(project.port), Client(bare.port)
    samples: dict[Any, list[float]] = {size: [] for size in (*sizes, "bare")}
    path = "/api/me/profile/skills"
    try:
        for size in sizes:
            for _ in range(size):
                _expect(p_client.call("POST", path, SKILL_BODY, auth(tokens[size]))[0], 201, "skill create")

        def project_lists() -> None:
            for size in sizes:
                for _ in range(scale.list_batch):
                    status, _, seconds = p_client.call("GET", path, None, auth(tokens[size], content=False))
                    _expect(status, 200, "list")
                    samples[size].append(seconds * 1e3)

        def bare_gets() -> None:
            for _ in range(scale.list_batch):
                status, _, seconds = b_client.call("GET", BARE_PATH)
                _expect(status, 200, "bare GET")
                samples["bare"].append(seconds * 1e3)

        project_lists()  # warm
        bare_gets()
        samples = {key: [] for key in samples}
        for i in range(scale.list_rounds):
            alternate(i, project_lists, bare_gets)
    finally:
        p_client.close()
        b_client.close()
    bare_ms = median(samples["bare"])
    return [
        Row(
            f"list over HTTP, {size} item{'s' if size > 1 else ''} (median)",
            median(samples[size]),
            "ms",
            bare_ms,
            None,
            "bare app GET as floor",
        )
        for size in sizes
    ]


def batch_rows(project: Host, environment: Environment, scale: Scale) -> list[Row]:
    """20 creates (accounts and skills, alternating) in one `$batch`, beside the same 20 sent one by one.

    Each round's two halves use users of their own (a collection holds at most MAX_FACETS_PER_USER)."""
    bodies = [(("account", ACCOUNT_BODY), ("skills", SKILL_BODY))[n % 2] for n in range(20)]
    requests = [
        {
            "id": str(n),
            "method": "POST",
            "url": f"/me/profile/{collection}",
            "headers": {"Content-Type": "application/json"},
            "body": json.loads(body),
        }
        for n, (collection, body) in enumerate(bodies)
    ]
    batch = json.dumps({"requests": requests}).encode()
    rounds = scale.create_rounds // 2 + 1
    tokens = iter(environment.tokens(2 * (rounds + 1), prefix="batcher"))
    client = Client(project.port)
    samples: dict[str, list[float]] = {"batch": [], "direct": []}

    def one_batch() -> None:
        status, data, seconds = client.call("POST", "/api/$batch", batch, auth(next(tokens)))
        _expect(status, 200, "$batch")
        answered = [item["status"] for item in json.loads(data)["responses"]]
        if answered != [201] * 20:
            raise RuntimeError(f"$batch requests answered {sorted(set(answered))}")
        samples["batch"].append(seconds * 1e3)

    def twenty_direct() -> None:
        headers, total = auth(next(tokens)), 0.0
        for collection, body in bodies:
            status, _, seconds = client.call("POST", f"/api/me/profile/{collection}", body, headers)
            _expect(status, 201, "create")
            total += seconds
        samples["direct"].append(total * 1e3)

    try:
        one_batch()  # warm (first batch: its module, the route table's router)
        twenty_direct()
        samples = {"batch": [], "direct": []}
        for i in range(rounds):
            alternate(i, one_batch, twenty_direct)
    finally:
        client.close()
    b, d = median(samples["batch"]), median(samples["direct"])
    return [
        Row(
            "$batch of 20 creates over HTTP (median)",
            b,
            "ms",
            d,
            1.0,
            f"{b / 20:.2f} ms per create; floor: the same 20 creates sent one by one, one connection",
        )
    ]


def http_rows(environment: Environment, scale: Scale) -> list[Row]:
    tokens = environment.tokens(8, prefix="writer")
    with hosts(environment, PROJECT_ROOT, BARE_ROOT) as (project, bare):
        rows = warm_create(project, bare, tokens, scale)
        rows += concurrent_writers(project, bare, tokens, scale)
        rows += list_rows(project, bare, environment, scale)
        rows += batch_rows(project, environment, scale)
    return rows


# ------------------------------------------------------------------------------------------- in process


def _median_us(action: Callable[[], object], rounds: int, batch: int) -> float:
    per_round = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(batch):
            action()
        per_round.append((time.perf_counter() - started) / batch * 1e6)
    return statistics.median(per_round)


def token_rows(scale: Scale) -> list[Row]:
    from benchmarks import token_check

    result = token_check.figures(rounds=scale.token_rounds)
    return [
        Row(
            "token check per request (Authenticator, same token)",
            result["authenticator_same_token_us"],
            "µs",
            result["bare_pyjwt_decode_us"],
            1.1,
            "floor: one bare PyJWT RS256 decode",
        ),
        Row(
            "  … distinct tokens",
            result["authenticator_distinct_tokens_us"],
            "µs",
            result["bare_pyjwt_decode_distinct_us"],
            1.1,
        ),
    ]


def validation_rows(scale: Scale) -> list[Row]:
    from shared.facets.catalog import ACCOUNT, SKILLS
    from shared.facets.validate import validate_create
    from shared.validation.json_body import parse_json_object

    rows = []
    for label, facet_type, body in (("account", ACCOUNT, ACCOUNT_BODY), ("skill", SKILLS, SKILL_BODY)):
        doc = json.loads(body)
        validate_create(facet_type, doc)  # first use: code tables, libraries
        rounds = max(3, scale.token_rounds)
        parse = _median_us(
            lambda body=body: parse_json_object(
                body, content_type="application/json", max_bytes=65536, allow_empty=False
            ),
            rounds,
            200,
        )
        check = _median_us(lambda facet_type=facet_type, doc=doc: validate_create(facet_type, doc), rounds, 200)
        rows.append(
            Row(
                f"validation alone, typical {label} body (+ strict JSON parse)",
                check,
                "µs",
                None,
                None,
                f"+ {parse:.1f} µs to parse the JSON body",
            )
        )
    return rows


def sqlite_rows(scale: Scale) -> list[Row]:
    from benchmarks import sqlite_store

    r = sqlite_store.figures(ops=scale.sqlite_ops, sizes=scale.sqlite_sizes)
    rows = [
        Row(
            "bare SQLite insert (one row, one transaction)",
            r["bare_insert_p50_us"],
            "µs",
            None,
            None,
            f"p99 {r['bare_insert_p99_us']:.0f} µs",
        ),
        Row(
            "store add_facet (no idempotency record)",
            r["add_facet_p50_us"],
            "µs",
            r["bare_insert_p50_us"],
            None,
            f"p99 {r['add_facet_p99_us']:.0f} µs; floor: bare insert",
        ),
    ]
    for size in scale.sqlite_sizes:
        label = f"{size // 1000}k" if size >= 1000 else str(size)
        rows.append(
            Row(
                f"store create with {label} facets stored (p50)",
                r[f"create_{label}_stored_p50_us"],
                "µs",
                r["bare_insert_p50_us"],
                None,
                f"p99 {r[f'create_{label}_stored_p99_us']:.0f} µs",
            )
        )
    for size in (1, 10, 100):
        rows.append(
            Row(
                f"store list of {size} (p50)",
                r[f"list_{size}_p50_us"],
                "µs",
                None,
                None,
                f"p99 {r[f'list_{size}_p99_us']:.0f} µs",
            )
        )
    rows.append(
        Row(
            "store 8 concurrent writers (in process): p99/p50",
            r["writers8_p99_ms"] / r["writers8_p50_ms"],
            "x",
            None,
            None,
            f"p50 {r['writers8_p50_ms']:.2f}, p99 {r['writers8_p99_ms']:.2f}, worst {r['writers8_worst_ms']:.1f} ms",
        )
    )
    return rows


def query_rows(scale: Scale) -> list[Row]:
    from benchmarks import query_engine

    rounds = max(3, scale.token_rounds)
    r = query_engine.figures(rounds=rounds, batch=20 if rounds > 3 else 2, imports=False)
    rows = [Row("query: parse $filter + $orderby + $top + $select", r["parse_us"], "µs")]
    rows += [Row(f"query: filtered, ordered page over {n} facets", r[f"page_{n}_us"], "µs") for n in (1, 10, 100)]
    return rows


def filter_rows(scale: Scale) -> list[Row]:
    from benchmarks import limits

    r = limits.filter_figures(rounds=max(2, scale.token_rounds // 4))
    refused = "refused (400)" if r["red_team_refused"] else "ACCEPTED"
    return [
        Row(
            "$filter: costliest accepted filter, 100 maximal facets",
            r["worst_ms"],
            "ms",
            r["floor_ms"],
            None,
            f"{r.get('worst_family')} ({r.get('worst_variant')} values, {r.get('worst_length')} characters); "
            "floor: the same list without $filter",
        ),
        Row(
            "$filter: the red-team filter (165 eq inside any)",
            r["red_team_ms"],
            "ms",
            r["floor_ms"],
            None,
            f"{refused} before evaluation; floor: the list without $filter",
        ),
    ]


def expand_rows(scale: Scale) -> list[Row]:
    """Peak RSS growth of a local host for GET me/profile?$expand=* over the red-team profile (every
    collection full of facets of up to ~34 KB), one request and 4 at once, beside the response bound."""
    from benchmarks import limits

    # The goal, a small multiple of the bound: the page's items, the body as text, as bytes and the
    # host's copy, and the store's read buffers.
    goal = 8.0
    r = limits.expand_figures(concurrent=4)
    bound = r["bound_mb"]
    note = (
        f"{r['stored_mb']:.0f} MB of create bodies stored (every collection x 100); largest response "
        f"{r['one_largest_response_mb']:.2f} MB in {r['one_slowest_s']:.2f} s; floor: MAX_RESPONSE_BYTES"
    )
    return [
        Row("$expand=* red-team profile: peak RSS growth, 1 request", r["one_rss_growth_mb"], "MB", bound, goal, note),
        Row(
            "  … 4 concurrent requests",
            r["concurrent_4_rss_growth_mb"],
            "MB",
            4 * bound,
            goal,
            f"largest response {r['concurrent_4_largest_response_mb']:.2f} MB, slowest "
            f"{r['concurrent_4_slowest_s']:.2f} s; floor: 4 x MAX_RESPONSE_BYTES",
        ),
    ]


def directory_rows(scale: Scale) -> list[Row]:
    from benchmarks import directory

    r = directory.figures(processes=scale.directory_processes, rounds=max(3, scale.token_rounds))
    return [
        Row(
            "directory (Graph): added cold start, adapter import",
            r["graph_adapter_ms"],
            "ms",
            None,
            None,
            f"+ azure-core {r['first_lookup_azure_core_ms']:.0f} ms on the first lookup, + azure-identity "
            f"{r['first_lookup_azure_identity_ms']:.0f} ms on https; none at `import function_app`"
            if not (r["function_app_loads_azure_core"] or r["function_app_loads_azure_identity"])
            else "function_app loads the azure SDK at import",
        ),
        Row(
            "directory (Graph): warm lookup (cache hit)",
            r["warm_lookup_by_upn_us"],
            "µs",
            None,
            None,
            f"by id {r['warm_lookup_by_id_us']:.2f} µs; cold lookup over loopback {r['cold_lookup_loopback_ms']:.2f}"
            f" ms; local directory {r['local_lookup_by_upn_us']:.1f} µs",
        ),
    ]


#: Azure's published request-unit costs, printed beside the figures on paper.
AZURE_RU = "Azure: point read 1 KB ≈ 1 RU, write 1 KB ≈ 5 RU, query ≥ 2.3 RU"


def cosmos_rows(scale: Scale) -> list[Row]:
    """One row per operation: round trips counted at the transport; documents, RU on paper, indexed paths."""
    from benchmarks import cosmos_round_trips

    figures = getattr(cosmos_round_trips, "figures", None)
    if figures is None:
        return [
            Row(
                "Cosmos round trips and RU on paper",
                "not yet measured",
                note=f"benchmarks/cosmos_round_trips.py has no figures() yet; {AZURE_RU}",
            )
        ]
    result = figures()
    rows = [Row("cosmos: Azure's published request units", "", note=AZURE_RU + " (default indexing)")]
    for operation in dict.fromkeys(n.removesuffix("_round_trips") for n in result if n.endswith("_round_trips")):
        note = (
            f"documents written: {result[f'{operation}_documents_written']:.0f}; "
            f"{result[f'{operation}_ru_paper']:.1f} RU on paper"
        )
        if f"{operation}_paths_indexed" in result:
            note += (
                f"; {result[f'{operation}_paths_indexed']:.0f} paths indexed "
                f"(default policy: {result[f'{operation}_paths_default']:.0f})"
            )
        rows.append(
            Row(f"cosmos: {operation.replace('_', ' ')}", result[f"{operation}_round_trips"], "round trips", note=note)
        )
    return rows


def delta_rows(scale: Scale) -> list[Row]:
    """Delta rounds (benchmarks/delta.py) beside a full read of the same data, on both stores."""
    from benchmarks import delta

    r = delta.figures(reps=5 if scale.cold_reps > 3 else 1)
    rows = []
    for store in ("sqlite", "cosmos"):
        for scope, full, label in (
            ("user", "user_full_list", "one user's 100 skills"),
            ("tenant", "tenant_full_read", "100 users x 10 skills"),
        ):
            floor = r[f"{store}_{full}_ms"]
            for changes in ("no_changes", "10_changes", "1000_changes"):
                name = f"{store}_{scope}_{changes}"
                note = (
                    f"{r[name + '_round_trips']:.0f} store round trips, {r[name + '_items']:.0f} items; "
                    f"floor: full read of {label} ({r[f'{store}_{full}_round_trips']:.0f} round trips)"
                )
                if store == "cosmos" and scope == "tenant" and changes != "1000_changes":
                    note += "; within 60 s of 1,000 writes, which the overlap re-reads"
                # the goal on time only in process: on the test server both sides are one TLS connection each
                goal = 1.0 if store == "sqlite" and changes == "no_changes" else None
                rows.append(
                    Row(
                        f"delta {store} {scope}: round, {changes.replace('_', ' ')}",
                        r[name + "_ms"],
                        "ms",
                        floor,
                        goal,
                        note,
                    )
                )
    quiet = "cosmos_tenant_no_changes_quiet"
    rows.append(
        Row(
            "delta cosmos tenant: round, no changes, 60 s after the last write",
            r[quiet + "_ms"],
            "ms",
            r["cosmos_tenant_full_read_ms"],
            None,
            f"{r[quiet + '_round_trips']:.0f} store round trips (goal: 1); test server latency, not Azure's",
        )
    )
    return rows


def inproc_rows(scale: Scale) -> list[Row]:
    rows: list[Row] = []
    for part in (
        token_rows,
        validation_rows,
        sqlite_rows,
        query_rows,
        filter_rows,
        expand_rows,
        directory_rows,
        cosmos_rows,
        delta_rows,
    ):
        try:
            rows += part(scale)
        except Exception as error:  # one broken module must not hide the rest of the table
            rows.append(Row(part.__name__.removesuffix("_rows"), "failed", note=f"{type(error).__name__}: {error}"))
    return rows


# --------------------------------------------------------------------------------------- concurrency sweep


def sweep_level(host: Host, tokens: list[str], clients: int, seconds: float) -> tuple[list[float], float]:
    """`clients` keep-alive clients creating for `seconds` (bounded count): (latencies in ms, elapsed s)."""
    samples: list[list[float]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    stop_at: list[float] = [0.0]

    def client_loop(c: int) -> None:
        client = Client(host.port)
        headers = auth(tokens[c % len(tokens)])
        try:
            barrier.wait()
            for _ in range(100_000):
                if time.perf_counter() >= stop_at[0]:
                    break
                status, _, took = client.call("POST", CREATE_PATH, ACCOUNT_BODY, headers)
                _expect(status, 201, "create")
                samples[c].append(took * 1e3)
        finally:
            client.close()

    threads = [threading.Thread(target=client_loop, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    return [value for per in samples for value in per], time.perf_counter() - started


def sweep_rows(environment: Environment, scale: Scale) -> list[Row]:
    """Every (store, level) host runs at once, idle but one; rounds visit them in alternating order.

    Tokens come from an Entra-like issuer (with the development issuer, a host with one thread would
    wait on itself for its keys).
    """
    issuer = EntraLike()
    stores = (("SQLite", PROJECT_ROOT), ("+10 ms I/O per store call", IO_ROOT))
    cases = [(label, root, level) for label, root in stores for level in scale.sweep_levels]
    samples: dict[tuple[str, int], list[float]] = {(label, level): [] for label, _, level in cases}
    elapsed: dict[tuple[str, int], float] = dict.fromkeys(samples, 0.0)
    started: list[Host] = []
    try:
        tokens = issuer.tokens(max(scale.sweep_levels))
        for _, root, level in cases:
            host = Host(environment, root, level, issuer.env).start()
            started.append(host)
            sweep_level(host, tokens, level, min(0.3, scale.sweep_seconds))  # warm: keys, store, caches
        for i in range(scale.sweep_rounds):
            order = list(zip(cases, started, strict=True))
            for (label, _, level), host in order if i % 2 == 0 else reversed(order):
                values, seconds = sweep_level(host, tokens, level, scale.sweep_seconds)
                samples[label, level] += values
                elapsed[label, level] += seconds
    finally:
        for host in started:
            host.stop()
        issuer.close()
    rows = []
    for (label, level), values in samples.items():
        note = f"p50 {percentile(values, 0.5):.1f} ms, p99 {percentile(values, 0.99):.1f} ms"
        rows.append(
            Row(
                f"sweep {label}: {level} clients, {level} threads",
                len(values) / elapsed[label, level],
                "creates/s",
                note=note,
            )
        )
    return rows


# ------------------------------------------------------------------------------------------- the table


def _number(value: float | str | None, unit: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "n/a"
    if unit == "round trips" and value == int(value):
        return f"{int(value)} {unit}"
    digits = 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0
    return f"{value:.{digits}f}{(' ' + unit) if unit else ''}"


def render(rows: list[Row]) -> str:
    header = ("Figure", "Project", "Floor", "Ratio", "Goal", "")
    lines = []
    for row in rows:
        ratio = row.ratio
        verdict = ""
        if row.goal is not None and ratio is not None:
            verdict = "met" if ratio <= row.goal else "NOT MET"
        lines.append(
            (
                row.figure,
                _number(row.value, row.unit),
                _number(row.floor, row.unit),
                f"{ratio:.2f}x" if ratio is not None else "",
                f"≤ {row.goal:g}x" if row.goal else "",
                verdict,
                row.note,
            )
        )
    widths = [max(len(header[i]), *(len(line[i]) for line in lines)) for i in range(6)]
    out = [
        " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " | Notes",
        "-|-".join("-" * w for w in widths) + "-|------",
    ]
    for line in lines:
        out.append(" | ".join(cell.ljust(w) for cell, w in zip(line[:6], widths, strict=True)) + " | " + line[6])
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: a few repetitions of everything")
    parser.add_argument("--no-sweep", action="store_true", help="skip the concurrency sweep")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="measure only these sections")
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else Scale()
    wanted = [s for s in (args.only or SECTIONS) if not (s == "sweep" and args.no_sweep)]
    started = time.perf_counter()
    environment = Environment()
    rows: list[Row] = []
    try:
        for section in wanted:
            print(f"measuring: {section} …", file=sys.stderr, flush=True)
            gc.collect()
            if section == "cold":
                rows += cold_rows(environment, scale)
            elif section == "http":
                rows += http_rows(environment, scale)
            elif section == "inproc":
                rows += inproc_rows(scale)
            else:
                rows += sweep_rows(environment, scale)
    finally:
        environment.close()
    import platform
    import sqlite3

    print(
        f"Profile API benchmarks: Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.machine()}, medians of interleaved repetitions (project and floor alternating); "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
