"""Pytest plugin: branch coverage of the service's code while `make test` runs (SlipCover, configured by
pyproject.toml's [tool.slipcover]).

- Each pytest process of the run (the one `make test` starts, and each pytest-xdist lane) measures itself from the
  moment pytest loads this plugin (`-p tests.support.coverage` in pytest.ini: before any conftest imports the
  service), and writes `pytest-<lane>.json` when its session ends.
- Each local host the tests start measures itself too (`measured`, which tests/support/localhost.py runs, starts it
  through tests/support/measured_host.py), and writes `host-<id>.json` when it stops.
- The Makefile merges the files, prints the table and fails under the floor. Without `TEST_COVERAGE` (a targeted
  `pytest tests/...`), nothing is measured and SlipCover is not imported.

Both use SlipCover's immediate mode: a probe that fires removes itself in place. Its other mode swaps code
objects and, to find them, walks every thread's frames (`sys._current_frames()`); on Python 3.11 that walk
deadlocked a lane when the garbage collector ran inside it and freed a `threading.local` (the SQLite store keeps
one per store), whose clean-up waits for the lock the walk holds.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tomllib
import uuid
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: Set by `make test`: the folder where each measured process writes its report.
FOLDER = "TEST_COVERAGE"


@functools.cache
def settings() -> dict[str, Any]:
    """pyproject.toml's [tool.slipcover] (read once per process)."""
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["tool"]["slipcover"]


def sources() -> list[str]:
    """The measured folders, as absolute paths: a host may run in another folder."""
    return [str(PROJECT_ROOT / source) for source in settings()["source"]]


def measured(module: str) -> list[str]:
    """The command that runs `python -m <module>`, under SlipCover while the run measures coverage."""
    folder = os.environ.get(FOLDER)
    if not folder:
        return [sys.executable, "-m", module]
    report = Path(folder) / f"host-{uuid.uuid4().hex}.json"
    branch = "1" if settings().get("branch") else "0"
    return [sys.executable, "-m", "tests.support.measured_host", str(report), branch, ",".join(sources()), module]


def _start() -> Any:
    """Measure this process from now on, if the run measures coverage: the SlipCover instance, else None."""
    if not os.environ.get(FOLDER):
        return None
    from tests.support.measured_host import start

    return start(sources(), bool(settings().get("branch")), every_file=True)  # the lanes list every file


_MEASURING = _start()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write this process' report (with xdist, each lane writes its own and the first process its own)."""
    if _MEASURING is None:
        return
    lane = os.environ.get("PYTEST_XDIST_WORKER", "main")
    report = Path(os.environ[FOLDER]) / f"pytest-{lane}.json"
    report.write_text(json.dumps(_MEASURING.get_coverage()), encoding="utf-8")
