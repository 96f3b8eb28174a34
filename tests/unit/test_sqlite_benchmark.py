"""benchmarks/sqlite_store.py stays runnable (figures only; no timing is asserted)."""

from __future__ import annotations

from benchmarks.sqlite_store import figures


def test_figures_cover_every_scenario():
    result = figures(ops=16, sizes=(100, 1000))
    expected = {"bare_insert", "add_facet", "create_100_stored", "create_1k_stored", "list_1", "list_10", "list_100"}
    assert set(result) == {f"{name}_{q}_us" for name in expected for q in ("p50", "p99")} | {
        "writers8_p50_ms",
        "writers8_p99_ms",
        "writers8_worst_ms",
    }
    assert all(value > 0 for value in result.values())
