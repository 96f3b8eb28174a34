"""Bounds on the work one request can cause: the costliest `$filter` the service still accepts.

    .venv/bin/python benchmarks/limits.py [ROUNDS]

Over 100 maximal skills (the largest collection at the default MAX_FACETS_PER_USER): each holds two
string collections of 50 distinct 256-character members, in two variants: "wide" (U+FB03, which
case-folds to three characters, the costliest to fold) and "ascii" (an adversarial text for
`contains`). For every family of filters (equality tests inside `any`, `contains` with long
adversarial patterns, many `any`s, conditions outside `any`, ...) the largest member the service
accepts (its estimate within `MAX_FILTER_WORK`, found by bisection on the clause count) is run as a
request runs it (parse, estimate, evaluate, order, page), wall-clock, best of ROUNDS; the floor is
the same list without `$filter`. The red-team filter (165 equality tests inside `any`, 1,994
characters) is refused: its figure is the time to refuse it.

Figures only, no assertions. `filter_figures()` returns them as a dict.
"""
from __future__ import annotations

import contextlib
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared import query  # noqa: E402
from shared.errors import BadRequest  # noqa: E402
from shared.facets.catalog import SKILLS  # noqa: E402
from shared.facets.wire import to_wire  # noqa: E402

PAGING = query.Paging(key=bytes(range(32)), scope="tenant|caller|target|skills")
LIGATURE = "\ufb03"
FACETS = 100
MEMBERS = 50


def _member(variant: str, number: int, index: int) -> str:
    if variant == "wide":
        return LIGATURE * 254 + chr(0x4E00 + number) + chr(0x4E00 + index)
    return "a" * 254 + chr(0x4E00 + number) + chr(0x4E00 + index)


def maximal_items(variant: str, count: int = FACETS) -> list[dict[str, Any]]:
    """`count` skills as the store hands them over (parsed from JSON, so no string is shared)."""
    items = []
    for number in range(count):
        stored = {
            "id": f"00000000-0000-0000-0000-{number:012d}",
            "createdDateTime": f"2024-01-01T00:{number // 60 % 60:02d}:{number % 60:02d}.0000000Z",
            "allowedAudiences": "organization",
            "displayName": _member(variant, number, 99),
            "categories": [_member(variant, number, index) for index in range(MEMBERS)],
            "collaborationTags": [_member(variant, number, MEMBERS + index) for index in range(MEMBERS)],
        }
        items.append(to_wire(SKILLS, stored, None))
    return json.loads(json.dumps(items))


def _joined(prefix: str, clause: str, count: int, suffix: str = "", separator: str = " or ") -> str:
    return prefix + separator.join([clause] * count) + suffix


#: Families of filters: (name, count -> filter text). Each grows with its clause count.
FAMILIES: tuple[tuple[str, Callable[[int], str]], ...] = (
    ("eq inside any", lambda n: _joined("categories/any(c:", "c eq 'z'", n, ")")),
    ("contains inside any", lambda n: _joined("categories/any(c:", "contains(c,'zz')", n, ")")),
    ("adversarial contains inside any", lambda n: "categories/any(c:contains(c,'" + "a" * n + "ba'))"),
    ("property tests inside any", lambda n: _joined("categories/any(c:", "displayName eq 'z'", n, ")")),
    ("ordinal tests inside any", lambda n: _joined("categories/any(c:", "c gt 'z'", n, ")")),
    ("many any", lambda n: _joined("", "categories/any(c:c eq 'a')", n)),
    ("startswith in many any", lambda n: _joined("", "collaborationTags/any(c:startswith(c,'a'))", n)),
    ("eq outside any", lambda n: _joined("", "displayName eq 'z'", n)),
    ("contains outside any", lambda n: _joined("", "contains(displayName,'zz')", n)),
    ("adversarial contains outside any", lambda n: _joined("", "contains(displayName,'" + "a" * 60 + "ba')", n)),
)
#: The hostile-testing finding: as many equality tests inside `any` as 2,000 characters hold.
RED_TEAM = _joined("categories/any(c:", "c eq 'z'", 165, ")")


def _accepted(text: str, items: list[dict[str, Any]]) -> bool:
    if len(text) > query.MAX_FILTER_LENGTH:
        return False
    try:
        compiled = query.parse_list_query({"$filter": text}, SKILLS).filter
    except BadRequest:
        return False
    return compiled is not None and compiled.work(items, query.MAX_FILTER_WORK) <= query.MAX_FILTER_WORK


def largest_accepted(family: Callable[[int], str], items: list[dict[str, Any]]) -> str | None:
    """The longest filter of `family` the service accepts over `items` (bisection on the clause count)."""
    if not _accepted(family(1), items):
        return None
    low, high = 1, 2
    while _accepted(family(high), items):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _accepted(family(middle), items) else (low, middle)
    return family(low)


def _request_ms(params: dict[str, str], items: list[dict[str, Any]], rounds: int) -> float:
    """One list request's query work (parse, estimate, evaluate, order, page), best of `rounds`, in ms."""
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        with contextlib.suppress(BadRequest):  # the refused ones: the time to refuse
            query.run_list(query.parse_list_query(params, SKILLS), items, facet_type=SKILLS, paging=PAGING)
        best = min(best, time.perf_counter() - started)
    return best * 1e3


def filter_figures(rounds: int = 5) -> dict[str, Any]:
    """`worst_ms` (the costliest accepted filter), its family and data, `floor_ms` (no filter),
    `red_team_refused` and `red_team_ms` (the time to refuse it)."""
    result: dict[str, Any] = {"worst_ms": 0.0}
    for variant in ("wide", "ascii"):
        items = maximal_items(variant)
        for name, family in FAMILIES:
            text = largest_accepted(family, items)
            if text is None:
                continue
            took = _request_ms({"$filter": text}, items, rounds)
            if took > result["worst_ms"]:
                result.update(worst_ms=took, worst_family=name, worst_variant=variant, worst_length=len(text))
    items = maximal_items("wide")
    result["floor_ms"] = _request_ms({}, items, rounds)
    result["red_team_refused"] = not _accepted(RED_TEAM, items)
    result["red_team_ms"] = _request_ms({"$filter": RED_TEAM}, items, rounds)
    return result


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for name, value in filter_figures(rounds).items():
        print(f"{name:>18}: {value}")


if __name__ == "__main__":
    main()
