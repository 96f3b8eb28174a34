"""How `make test` measures the local hosts (tests/support/coverage.py): under SlipCover while the run measures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import coverage


def test_a_host_runs_plain_when_the_run_measures_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(coverage.FOLDER, raising=False)
    assert coverage.measured("devhost") == [sys.executable, "-m", "devhost"]


def test_a_host_measures_the_configured_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(coverage.FOLDER, str(tmp_path))
    command = coverage.measured("tests.support.cosmos_quirks")
    python, flag, runner, report, branch, folders, module = command
    assert (python, flag, runner) == (sys.executable, "-m", "tests.support.measured_host")
    assert module == "tests.support.cosmos_quirks" and branch == "1"
    assert folders.split(",") == [str(coverage.PROJECT_ROOT / name) for name in ("functions", "shared", "devhost")]
    assert Path(report).parent == tmp_path and Path(report).name.startswith("host-") and report.endswith(".json")
    assert coverage.measured("devhost")[3] != report  # one report per host


def test_a_measured_module_runs_as_main_and_its_report_is_written_at_its_exit(tmp_path: Path) -> None:
    """What a host gets: its module as `__main__` with its arguments, the exit code it chose, and a report that
    holds what it ran and no file it never imported."""
    report = tmp_path / "host.json"
    folders = ",".join(coverage.sources())
    args = ["-m", "tests.support.measured_host", str(report), "1", folders, "devhost", "--definitely-not-an-option"]
    ran = subprocess.run(
        [sys.executable, *args], check=False, cwd=coverage.PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 2 and "--definitely-not-an-option" in ran.stderr  # argparse's own exit, kept
    files = json.loads(report.read_text(encoding="utf-8"))["files"]
    assert files["devhost/server.py"]["executed_lines"]  # imported by the module, which runs as itself (unmeasured)
    assert "executed_branches" in files["devhost/server.py"]
    assert "shared/repository/cosmos/store.py" not in files  # never imported by a host that stopped at its options
