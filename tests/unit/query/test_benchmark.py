"""benchmarks/query_engine.py stays runnable (figures only; no timing is asserted)."""

from __future__ import annotations

from benchmarks.query_engine import figures


def test_figures_cover_every_scenario():
    result = figures(rounds=1, batch=1, imports=False)
    assert set(result) == {
        "parse_us",
        "page_1_us",
        "page_10_us",
        "page_100_us",
        "next_page_100_us",
    }
    assert all(value > 0 for value in result.values())
