"""README's "Keep a copy in sync: delta query" walkthrough, pasted into bash against the app as `make run`
starts it: each step answers what its comment says."""

from __future__ import annotations

import json
import re
import subprocess

from tests.e2e.test_local_run import PROJECT_ROOT, README, clean_env, dev_host  # noqa: F401  # dev_host: fixture
from tests.support.localhost import LocalHost


def walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Keep a copy in sync: delta query\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```bash\n(.*?)```", section, re.S)
    assert found, "the section has a bash block"
    return found[1]


def test_the_delta_walkthrough_runs_as_is(dev_host: LocalHost) -> None:  # noqa: F811  # the imported fixture
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough()],
        cwd=PROJECT_ROOT,
        env=clean_env(PORT=str(dev_host.port)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    pages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    first_round, changes, quiet, tenant = pages[:2], pages[2], pages[3], pages[4]
    assert len(pages) == 5, result.stdout
    assert [len(page["value"]) for page in first_round] == [1, 1]
    assert "@odata.nextLink" in first_round[0] and "@odata.deltaLink" in first_round[1]
    names = [page["value"][0]["displayName"] for page in first_round]
    assert names == ["Python", "SQL"]
    assert changes["value"][0]["proficiency"] == "expert"
    assert changes["value"][1]["@removed"] == {"reason": "deleted"}
    assert quiet["value"] == [] and "@odata.deltaLink" in quiet
    assert [item["@odata.id"].split("/profile/")[1].split("(")[0] for item in tenant["value"]] == ["skills"]
