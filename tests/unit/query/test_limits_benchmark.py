"""benchmarks/limits.py stays runnable and finds an accepted worst case (figures only; no timing is asserted)."""

from __future__ import annotations

import pytest

from benchmarks import limits

pytestmark = pytest.mark.long_running  # a whole benchmark round in one test


def test_filter_figures_find_the_costliest_accepted_filter_and_refuse_the_red_team_one():
    result = limits.filter_figures(rounds=1)
    assert result["worst_ms"] > 0 and result["floor_ms"] > 0
    assert result["worst_family"] in dict(limits.FAMILIES)
    assert result["red_team_refused"] is True
