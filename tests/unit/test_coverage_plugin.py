"""How `make test` measures the local hosts (tests/support/coverage.py): under SlipCover while the run measures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support import coverage


def test_a_host_runs_plain_when_the_run_measures_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(coverage.FOLDER, raising=False)
    assert coverage.measured("devhost") == [sys.executable, "-m", "devhost"]


def test_a_host_measures_the_configured_folders_in_immediate_mode(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(coverage.FOLDER, str(tmp_path))
    command = coverage.measured("tests.support.cosmos_quirks")
    assert command[:3] == [sys.executable, "-m", "slipcover"]
    assert command[-2:] == ["-m", "tests.support.cosmos_quirks"]
    assert "--immediate" in command and "--branch" in command and "--json" in command
    sources = command[command.index("--source") + 1].split(",")
    assert sources == [str(coverage.PROJECT_ROOT / name) for name in ("functions", "shared", "devhost")]
    report = Path(command[command.index("--out") + 1])
    assert report.parent == tmp_path and report.name.startswith("host-") and report.suffix == ".json"
    assert coverage.measured("devhost")[command.index("--out") + 1] != str(report)  # one report per host
