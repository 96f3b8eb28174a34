"""benchmarks/run.py (`make bench`) stays runnable and prints one table (figures only: no timing is asserted)."""

from __future__ import annotations

import pytest

from benchmarks.run import Row, main, render


def test_each_row_shows_its_floor_ratio_and_whether_the_goal_holds():
    table = render(
        [
            Row("under", 3.0, "ms", floor=2.0, goal=1.5),
            Row("over", 4.0, "ms", floor=2.0, goal=1.5),
            Row("printed", 7.0, "µs", note="context"),
            Row("ratio of its own", 6.0, "x", goal=5.0, ratio_of=(6.0, 1.0)),
        ]
    )
    lines = table.splitlines()
    assert lines[0].startswith("Figure") and len(lines) == 6
    under, over, printed, own = lines[2:]
    assert "1.50x" in under and "met" in under and "NOT MET" not in under
    assert "2.00x" in over and "NOT MET" in over
    assert "7.00 µs" in printed and "context" in printed and "met" not in printed
    assert "NOT MET" in own


@pytest.mark.timeout(180)
def test_a_quick_run_of_the_http_section_prints_the_table(capsys: pytest.CaptureFixture[str]):
    assert main(["--quick", "--only", "http"]) == 0
    out = capsys.readouterr().out
    figures = ("warm create over HTTP", "8 concurrent writers", "list over HTTP, 100 items", "$batch of 20 creates")
    for figure in figures:
        assert figure in out
