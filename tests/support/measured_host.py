"""`python -m tests.support.measured_host REPORT BRANCH FOLDERS MODULE [ARGS...]`: run `python -m MODULE ARGS...`
measured by SlipCover (immediate mode, as tests/support/coverage.py explains), and write its report to REPORT when
it ends, a SIGTERM's exit included. BRANCH: 1 to measure branches. FOLDERS: the measured folders, comma-separated.

How `make test` runs each local host (tests/support/coverage.py `measured`). The report leaves out the measured
files the host never imported (SlipCover's own command lists them, parsing each at exit): the lanes' reports
list every one, and the merge adds them up.
"""

import json
import runpy
import sys
from pathlib import Path

import slipcover


def start(folders: list[str], branch: bool, *, every_file: bool) -> slipcover.Slipcover:
    """Measure what this process imports from `folders` from now on, for the rest of its life (immediate mode).

    every_file: the report also lists the measured files never imported (SlipCover parses each when reporting).
    """
    measuring = slipcover.Slipcover(immediate=True, branch=branch, source=folders if every_file else None)
    slipcover.ImportManager(measuring, slipcover.FileMatcher(sources=folders)).__enter__()
    return measuring


def main(report: Path, branch: bool, folders: list[str], module: str, args: list[str]) -> None:
    """Run the module; its exit (a SystemExit, an exception) goes on as it would without this runner."""
    measuring = start(folders, branch, every_file=False)
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        report.write_text(json.dumps(measuring.get_coverage()), encoding="utf-8")


if __name__ == "__main__":
    report, branch, folders, module, *rest = sys.argv[1:]
    main(Path(report), branch == "1", folders.split(","), module, rest)
