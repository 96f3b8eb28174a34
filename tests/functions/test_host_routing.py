"""Every route of the table is reached under the Functions host's rule, in the app as the worker indexes it.

The host tries HTTP functions in case-insensitive ordinal order of their names and the first whose
template and method match takes the request (shared/routing/router.py). Here the app is imported in a
fresh interpreter and indexed with `app.get_functions()` (names, routes, methods: what the host
receives); each row of the route table gets sample requests built from its own template, and each must
reach that row's function. Sample values for parameters are the literals of other routes as well as
plain values, so a parameter route that sorts before a literal one of the same shape (a future
`.../{id}` before `.../delta`) fails here, as does anything the catch-all would swallow.
"""

from __future__ import annotations

import re

import pytest

from functions.fallback import FUNCTION_NAME as CATCH_ALL
from functions.routes import build_table
from shared.routing.router import Entry, Router, full_template, host_order_key, methods_of
from shared.routing.table import RouteTable
from shared.routing.templates import Param, Template
from tests.functions.test_function_app import TENANT, index_functions

PREFIX = "api"
GUID = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"
_PARAM = re.compile(r"\{\*?([A-Za-z_][A-Za-z0-9_]*)\}")


def host_router(indexed: list[dict]) -> Router[str]:
    """The host's rule over the indexed metadata only (names, routes, methods)."""
    return Router(
        Entry(
            fn["name"],
            Template.parse(full_template(PREFIX, fn["route"] or fn["name"])),
            methods_of(fn["methods"]),
            fn["name"],
        )
        for fn in indexed
        if fn["http"]
    )


def literals(table: RouteTable) -> set[str]:
    """Every literal segment of every template: the values most likely to make a parameter route shadow another."""
    return {seg for row in table for seg in Template.parse(row.template).segments if isinstance(seg, str)}


def sample_paths(template: str, words: set[str]) -> list[str]:
    """Paths the template matches: each parameter filled with a plain value, then with each literal in turn."""
    segments = Template.parse(template).segments
    params = [i for i, seg in enumerate(segments) if isinstance(seg, Param)]
    plain = [GUID if isinstance(seg, Param) else seg for seg in segments]
    paths = ["/".join(plain)]
    for i in params:
        for word in sorted(words):
            filled = list(plain)
            filled[i] = word
            paths.append("/".join(filled))
    return paths


@pytest.fixture(scope="module", params=["tenant", "development issuer"])
def indexed(request: pytest.FixtureRequest) -> tuple[RouteTable, list[dict]]:
    if request.param == "tenant":
        return build_table(dev_issuer=False), index_functions(
            catch_all=True, ENTRA_TENANT_ID=TENANT, ENTRA_AUDIENCES="api://x"
        )
    return build_table(dev_issuer=True), index_functions(catch_all=True)


def test_the_worker_indexes_exactly_the_table(indexed: tuple[RouteTable, list[dict]]) -> None:
    table, functions = indexed
    assert {(f["name"], f["route"], tuple(f["methods"])) for f in functions} == {
        (row.name, row.template, (row.method,) if row.method else ()) for row in table
    }


def specificity(table: RouteTable) -> list[tuple[tuple[int, ...], str, str | None, Template]]:
    """Every row's full template, parsed once, with its rank: segment by segment, a literal (0) before a
    parameter (1) before a catch-all (2)."""
    ranked = []
    for row in table:
        template = Template.parse(full_template(PREFIX, row.template))
        rank = tuple(0 if isinstance(seg, str) else 2 if seg.catch_all else 1 for seg in template.segments)
        ranked.append((rank, row.name, row.method, template))
    return ranked


def meant(ranked: list[tuple[tuple[int, ...], str, str | None, Template]], method: str, path: str) -> str | None:
    """The row the table means for a request: of the rows that match, the most specific template
    (see `specificity`), as a reader of the table expects."""
    from shared.routing.templates import RequestPath

    request = RequestPath.parse(f"/{PREFIX}/{path}")
    candidates = [
        (rank, name)
        for rank, name, row_method, template in ranked
        if row_method in (method, None) and template.match(request) is not None
    ]
    return min(candidates)[1] if candidates else None


def test_every_route_reaches_the_function_the_table_means(indexed: tuple[RouteTable, list[dict]]) -> None:
    table, functions = indexed
    router, words, ranked = host_router(functions), literals(table), specificity(table)
    shadowed = []
    for row in table:
        if row.method is None:
            continue
        for path in sample_paths(row.template, words):
            found = router.resolve(row.method, f"/{PREFIX}/{path}")
            reached, intended = (found.entry.name if found else None), meant(ranked, row.method, path)
            if reached != intended:
                shadowed.append((row.method, path, intended, reached))
    assert not shadowed, shadowed[:10]


def test_a_plain_sample_reaches_its_own_row(indexed: tuple[RouteTable, list[dict]]) -> None:
    """A template's sample with plain parameter values always reaches the template's own function."""
    table, functions = indexed
    router = host_router(functions)
    for row in table:
        if row.method is None:
            continue
        path = sample_paths(row.template, set())[0]
        found = router.resolve(row.method, f"/{PREFIX}/{path}")
        assert found is not None and found.entry.name == row.name, (row.method, path)


def test_the_catch_all_sorts_last_and_takes_everything_else(indexed: tuple[RouteTable, list[dict]]) -> None:
    _, functions = indexed
    names = sorted((f["name"] for f in functions), key=host_order_key)
    assert names[-1] == CATCH_ALL
    router = host_router(functions)
    for method, path in (
        ("GET", "nothing/here"),
        ("PUT", "me/profile"),
        ("HEAD", "me/profile"),
        ("OPTIONS", "openapi.json"),
        ("GET", ""),
        ("PATCH", "me/profile/skills"),
    ):
        found = router.resolve(method, f"/{PREFIX}/{path}")
        assert found is not None and found.entry.name == CATCH_ALL, (method, path)


def test_a_parameter_route_named_before_a_literal_one_is_caught() -> None:
    """The check above is not vacuous: `.../{id}` sorting before `.../recent` (same method) is shadowing."""
    from shared.routing.table import Route

    def handler() -> None: ...

    rows = RouteTable(
        [Route("items_get", "GET", "items/{id}", handler), Route("items_recent", "GET", "items/recent", handler)]
    )
    indexed = [{"name": r.name, "route": r.template, "methods": [r.method], "http": True} for r in rows]
    found = host_router(indexed).resolve("GET", f"/{PREFIX}/items/recent")
    assert meant(specificity(rows), "GET", "items/recent") == "items_recent"
    assert found is not None and found.entry.name == "items_get"


def test_names_compare_as_the_host_compares_them() -> None:
    """Ordinal, ignoring case: upper-cased, so `_` (0x5F) sorts after every letter."""
    assert sorted(["b", "A", "a_b", "aZ", "zz_fallback", "ZZZ"], key=host_order_key) == [
        "A",
        "aZ",
        "a_b",
        "b",
        "ZZZ",
        "zz_fallback",
    ]
