"""Headless Chromium driven by Selenium, for the tests that look at a page as a person does.

The browser is Debian's `chromium` with its `chromium-driver` (scripts/install_browser.sh, run by
`make setup`). Selenium is pointed at /usr/bin/chromedriver and /usr/bin/chromium and runs offline:
selenium-manager never downloads a driver or a browser. Chromium starts with a fresh profile and without
its background networking (no update, sync or safe-browsing requests leave the machine).

Where the browser is missing the test is skipped with the reason, except under CI=true on a machine that
could have installed it (apt-get present), where a missing browser is a failed setup and fails the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Screenshots and other artefacts of browser tests (gitignored with the rest of .cache/).
ARTEFACTS = Path(__file__).resolve().parents[2] / ".cache" / "test-artefacts"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1800",
)


def require_browser() -> None:
    """Skip (or fail, see the module docstring) when Chromium or its driver is not installed."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if not missing:
        return
    reason = f"{', '.join(missing)} not installed (make setup installs Debian's chromium and chromium-driver)"
    if os.environ.get("CI", "").strip().lower() == "true" and shutil.which("apt-get"):
        pytest.fail(f"browser test: {reason}; apt-get is available, so the setup should have installed them")
    pytest.skip(f"browser test: {reason}")


@contextmanager
def chromium(profile: Path) -> Iterator[WebDriver]:
    """A headless Chromium with a new profile under `profile`, quit on exit; its console is readable
    through `driver.get_log("browser")`."""
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(profile.parent / "chromedriver.log"))
    offline = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager, should anything call it, downloads nothing
    try:
        driver = webdriver.Chrome(options=options, service=service)
        try:
            yield driver
        finally:
            driver.quit()
    finally:
        if offline is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = offline
