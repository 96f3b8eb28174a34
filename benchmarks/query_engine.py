"""Print the cost of the query options engine: a filtered, ordered page over 1, 10 and 100 facets.

    .venv/bin/python benchmarks/query_engine.py [ROUNDS] [BATCH]

Scenarios, each the median over ROUNDS of the mean CPU µs of BATCH runs, over real skill wire bodies:
- `parse_us`: parse_list_query of `$filter` (three conditions, a function and `any`) + `$orderby`;
- `page_<n>_us`: run_list of that query over n facets (filter, sort, first page of 10, token sealed);
- `next_page_<n>_us`: run_list of the next page (the token opened, the position found);
- `import_ms`: importing shared.query in a fresh interpreter (after shared.facets.catalog, which the
  app loads anyway), CPU time, best of 5; `filter_import_ms`: the `$filter` compiler, loaded by the
  first request with a `$filter`; `crypto_import_ms`: AES-GCM, loaded by the first paging token.
Figures only, no assertions. `figures()` returns them as a dict.
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared import query  # noqa: E402
from shared.facets.catalog import SKILLS  # noqa: E402
from shared.facets.wire import to_wire  # noqa: E402

PARAMS = {
    "$filter": "proficiency ne null and (startswith(displayName, 'skill 1') or categories/any(c: c eq 'tools'))",
    "$orderby": "proficiency desc,displayName",
    "$top": "10",
    "$select": "displayName,proficiency",
}
LEVELS = ("elementary", "limitedWorking", "generalProfessional", "advancedProfessional", "expert", None)


def _items(count: int) -> list[dict]:
    items = []
    for n in range(count):
        stored = {
            "id": f"00000000-0000-0000-0000-{n:012d}",
            "createdDateTime": f"2024-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}.0000000Z",
            "allowedAudiences": "organization",
            "displayName": f"skill {n % 30}",
            "proficiency": LEVELS[n % len(LEVELS)],
            "categories": ["tools", "languages"] if n % 3 == 0 else ["languages"],
        }
        items.append(to_wire(SKILLS, stored, None))
    return items


def _median_us(action: Callable[[], object], rounds: int, batch: int) -> float:
    per_round = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            started = time.process_time()  # CPU time: robust to a busy machine descheduling us
            for _ in range(batch):
                action()
            per_round.append((time.process_time() - started) / batch * 1e6)
    finally:
        if enabled:
            gc.enable()
    return statistics.median(per_round)


def _import_ms(statement: str, setup: str = "import shared.facets.catalog") -> float:
    """CPU milliseconds of `statement` in a fresh interpreter after `setup` (CPU time: a busy machine
    deschedules the process, which wall-clock time would count), with bytecode compiled beforehand as
    a deployment has it (PYTHONDONTWRITEBYTECODE would otherwise make every run compile the source)."""
    import compileall

    compileall.compile_dir(ROOT / "shared", quiet=1)
    probe = (
        f"import time\n{setup}\nstarted = time.process_time()\n{statement}\n"
        "print((time.process_time() - started) * 1000)"
    )
    runs = []
    for _ in range(5):
        result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append(float(result.stdout))
    return min(runs)


def _page(parsed: query.ListQuery, items: list[dict], paging: query.Paging) -> query.ListPage:
    return query.run_list(parsed, items, facet_type=SKILLS, paging=paging)


def figures(rounds: int = 21, batch: int = 50, *, imports: bool = True) -> dict[str, float]:
    paging = query.Paging(key=bytes(range(32)), scope="tenant|caller|target|skills")
    result: dict[str, float] = {}
    result["parse_us"] = _median_us(lambda: query.parse_list_query(PARAMS, SKILLS), rounds, batch)
    parsed = query.parse_list_query(PARAMS, SKILLS)
    for count in (1, 10, 100):
        items = _items(count)
        result[f"page_{count}_us"] = _median_us(partial(_page, parsed, items, paging), rounds, batch)
        first = _page(parsed, items, paging)
        if first.next_skiptoken:
            following = query.parse_list_query({**parsed.link_params(), "$skiptoken": first.next_skiptoken}, SKILLS)
            result[f"next_page_{count}_us"] = _median_us(partial(_page, following, items, paging), rounds, batch)
    if imports:
        result["import_ms"] = _import_ms("import shared.query")
        result["filter_import_ms"] = _import_ms(
            "import shared.query.filter_compile", setup="import shared.facets.catalog, shared.query"
        )
        result["crypto_import_ms"] = _import_ms(
            "from cryptography.hazmat.primitives.ciphers.aead import AESGCM", setup="import shared.query"
        )
    return result


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    for name, value in figures(rounds, batch).items():
        print(f"{name:>20}: {value:10.1f}")


if __name__ == "__main__":
    main()
