"""scripts/install_browser.sh (run by `make setup`): apt-get only when the browser is missing; where it
cannot be installed it says so and lets the browser test skip; a failed install fails under CI=true.

The script runs for real with its paths and apt-get replaced (BROWSER_* variables): a fake apt-get records
its calls and either "installs" (creates the two executables) or fails.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.localhost import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "install_browser.sh"
FAKE_APT = """#!/usr/bin/env bash
echo "$*" >> "{log}"
if [ "{works}" = yes ] && [[ " $* " == *" install "* ]]; then
  printf '#!/bin/sh\\necho Chromium 1.2.3\\n' > "{chromium}"; chmod +x "{chromium}"
  printf '#!/bin/sh\\n' > "{driver}"; chmod +x "{driver}"
fi
[ "{works}" = yes ]
"""
#: As another user the script would call apt-get through sudo, which the fake cannot stand in for.
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the fake apt-get stands in for apt-get run as root")
Ran = tuple[subprocess.CompletedProcess, list[str]]


def run(tmp_path: Path, *, works: bool = True, apt: bool = True, ci: bool = False) -> Ran:
    """The script with the fake apt-get (or none); its result and the fake's calls."""
    chromium, driver, log = tmp_path / "chromium", tmp_path / "chromedriver", tmp_path / "apt.log"
    fake = tmp_path / "apt-get"
    fake.write_text(FAKE_APT.format(log=log, works="yes" if works else "no", chromium=chromium, driver=driver))
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env |= {
        "BROWSER_CHROMIUM": str(chromium),
        "BROWSER_CHROMEDRIVER": str(driver),
        "BROWSER_APT_GET": str(fake) if apt else str(tmp_path / "no-such-apt-get"),
    }
    if ci:
        env["CI"] = "true"
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)
    calls = log.read_text().splitlines() if log.exists() else []
    return result, calls


@as_root
def test_installs_when_missing_and_then_does_nothing(tmp_path: Path) -> None:
    first, calls = run(tmp_path)
    assert first.returncode == 0 and "Chromium 1.2.3 and chromedriver installed" in first.stdout
    assert [c.split()[-3:] for c in calls if "install" in c] == [
        ["--no-install-recommends", "chromium", "chromium-driver"]
    ]
    again, calls_again = run(tmp_path)
    assert again.returncode == 0 and "already installed" in again.stdout
    assert calls_again == calls, "apt-get is not called when both are there"


def test_without_apt_get_it_says_so_and_the_test_skips(tmp_path: Path) -> None:
    for ci in (False, True):
        result, calls = run(tmp_path, apt=False, ci=ci)
        assert result.returncode == 0 and "cannot install chromium chromium-driver: no apt-get" in result.stderr
        assert calls == []


@as_root
def test_a_failed_install_fails_under_ci_and_warns_elsewhere(tmp_path: Path) -> None:
    result, _ = run(tmp_path, works=False, ci=True)
    assert result.returncode == 1 and "failing under CI=true" in result.stderr
    result, _ = run(tmp_path, works=False)
    assert result.returncode == 0 and "the browser test will be skipped" in result.stderr
