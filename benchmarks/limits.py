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


# --- $expand=*: memory and size of the red-team profile -------------------------------------------

#: The hostile-testing profile: every collection full (100 facets) of facets of about 34 KB.
EXPAND_FACET_BYTES = 34_000


def _filled(kind: Any, items: int, chars: int, char: str = "\u4e2d") -> Any:
    """A value of `kind`: free text of `chars` times `char`, collections of `items`."""
    from shared.facets.kinds import Complex, ListOf, Text
    from tests.support.facet_bodies import sample

    if isinstance(kind, Text) and kind.rule is None:
        return char * min(chars, kind.max_length)
    if isinstance(kind, ListOf):
        return [_filled(kind.item, items, chars, char) for _ in range(min(items, kind.max_items))]
    if isinstance(kind, Complex):
        return {name: _filled(member, items, chars, char) for name, member in kind.type.properties.items()}
    return sample(kind)


def _body(facet_type: Any, items: int, chars: int, char: str) -> dict[str, Any]:
    from tests.support.facet_bodies import INHERITED

    made = {name: _filled(facet_type.properties[name], items, chars, char) for name in facet_type.writable}
    own = [name for name in facet_type.writable if name not in INHERITED]
    made["sources"] = [{"isDefaultSource": True, "properties": [own[-1]], "sourceId": "s" * 256}] * min(items, 20)
    return made


def _utf8(made: dict[str, Any]) -> int:
    return len(json.dumps(made, ensure_ascii=False).encode())


def sized_body(facet_type: Any, target: int = EXPAND_FACET_BYTES, char: str = "\u4e2d") -> dict[str, Any]:
    """A valid create body of `facet_type` whose JSON (UTF-8) is as large as filling its free texts with
    `char` (default: a CJK character, 3 bytes) and its collections evenly allows within `target` bytes."""
    best = _body(facet_type, 1, 1, char)
    for chars in (4096, 1024, 256, 64, 16):
        fitting = (made for items in range(50, 0, -1) if _utf8(made := _body(facet_type, items, chars, char)) <= target)
        made = next(fitting, best)
        if _utf8(made) > _utf8(best):
            best = made
    return best


def seed_profile(path: str, tenant_id: str, object_id: str, per_collection: int = 100) -> int:
    """Store `per_collection` maximal facets in every collection for one user, directly in the SQLite file
    (as data stored before a storage ceiling existed would be); the bytes of their create bodies."""
    import uuid

    from shared.facets.catalog import FACET_TYPES
    from shared.facets.validate import validate_create
    from shared.facets.wire import to_store
    from shared.repository.sqlite import SqliteRepository

    repo = SqliteRepository(path)
    who = {"application": None, "device": None, "user": {"displayName": "Bench", "id": object_id}}
    total = 0
    try:
        for facet_type in FACET_TYPES:
            body = sized_body(facet_type)
            total += per_collection * len(json.dumps(body, ensure_ascii=False).encode())
            values = validate_create(facet_type, body)
            for number in range(per_collection):
                stamp = f"2024-01-01T00:{number // 60:02d}:{number % 60:02d}.0000000Z"
                stored = to_store(
                    facet_type,
                    {
                        **values,
                        "id": str(uuid.uuid4()),
                        "createdDateTime": stamp,
                        "createdBy": who,
                        "lastModifiedDateTime": stamp,
                        "lastModifiedBy": who,
                    },
                )
                repo.add_facet(tenant_id, object_id, facet_type, stored, max_count=10_000)
    finally:
        repo.close()
    return total


def _memory(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, amount = line.split(":")
            values[name] = int(amount.split()[0]) / 1024
    return values


def _reset_peak(pid: int) -> None:
    """Linux: the peak RSS (VmHWM) starts again from the current RSS."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def expand_figures(concurrent: int = 4) -> dict[str, float]:
    """Peak RSS growth of the local host for one `GET me/profile?$expand=*` over the red-team profile, and
    for `concurrent` at once (each on a fresh host); the largest response, its time, the bound."""
    import threading

    from benchmarks.http_host import Client, Environment, Host, auth
    from shared.settings import DEV_TENANT_ID, load_settings

    environment = Environment()
    try:
        token = environment.tokens(1, prefix="expand")[0]
        import base64

        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        stored = seed_profile(environment.env["PROFILE_SQLITE_PATH"], DEV_TENANT_ID, claims["oid"])
        bound = load_settings(environment.env).max_response_bytes
        result: dict[str, float] = {"stored_mb": stored / 2**20, "bound_mb": bound / 2**20}
        for clients in (1, concurrent):
            host = Host(environment).start()
            try:
                assert host.process is not None
                warm = Client(host.port)
                warm.call("GET", "/api/me/profile", None, auth(token, content=False))  # keys, store, imports
                warm.close()
                before = _memory(host.process.pid)["VmRSS"]
                _reset_peak(host.process.pid)
                sizes: list[int] = []
                times: list[float] = []

                def one(port: int = host.port, sizes: list[int] = sizes, times: list[float] = times) -> None:
                    client = Client(port)
                    try:
                        status, data, seconds = client.call(
                            "GET", "/api/me/profile?$expand=*", None, auth(token, content=False)
                        )
                        if status != 200:
                            raise RuntimeError(f"$expand=* answered {status}: {data[:200]!r}")
                        sizes.append(len(data))
                        times.append(seconds)
                    finally:
                        client.close()

                threads = [threading.Thread(target=one) for _ in range(clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(120)
                growth = _memory(host.process.pid)["VmHWM"] - before
                label = "one" if clients == 1 else f"concurrent_{clients}"
                result[f"{label}_rss_growth_mb"] = growth
                result[f"{label}_largest_response_mb"] = max(sizes) / 2**20
                result[f"{label}_slowest_s"] = max(times)
            finally:
                host.stop()
        return result
    finally:
        environment.close()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for name, value in filter_figures(rounds).items():
        print(f"{name:>18}: {value}")
    for name, value in expand_figures().items():
        print(f"{name:>32}: {value:.2f}")


if __name__ == "__main__":
    main()
