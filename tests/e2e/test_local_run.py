"""The local run as a developer meets it: `make run`'s host (python -m devhost) on the real app, `make -s token`,
local.settings.json, the README walkthrough pasted into bash, and host-level answers in Graph's envelope."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import free_port
from tests.support.localhost import PROJECT_ROOT, LocalHost

pytestmark = pytest.mark.long_running  # a new local host per test, each run as a developer would

README = PROJECT_ROOT / "README.md"
#: Settings that would pull the app away from the development issuer and the test's own store.
_FOREIGN = ("ENTRA_", "PROFILE_", "COSMOS_", "WEBSITE_", "MAX_", "DIRECTORY", "GRAPH_", "PORT", "MAKE", "MFLAGS")


def clean_env(**extra: str) -> dict[str, str]:
    """A terminal's environment: no app settings, not inside another make, USER not a UPN."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN)}
    return {**env, "USER": "developer", **extra}


def make_token(**extra: str) -> str:
    """`make -s token`, as typed in a second terminal."""
    result = subprocess.run(
        ["make", "-s", "token"],
        cwd=PROJECT_ROOT,
        env=clean_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def dev_host(tmp_path: Path) -> Iterator[LocalHost]:
    """The app as `make run` starts it (development issuer, SQLite in tmp_path) on a free port other than 7071."""
    port = free_port()
    host = LocalHost(clean_env(PROFILE_SQLITE_PATH=str(tmp_path / "dev.sqlite3")), PROJECT_ROOT, inherit_env=False)
    host.start(port)
    try:
        yield host
    finally:
        host.stop()


def walkthrough() -> str:
    """The first bash block of README's "Walkthrough (curl)" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Walkthrough (curl)\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```bash\n(.*?)```", section, re.S)
    assert found, "the walkthrough has a bash block"
    return found[1]


def test_the_readme_walkthrough_runs_as_is(dev_host: LocalHost) -> None:
    script = walkthrough()
    assert "${PORT:-7071}" in script and "me/profile/account" in script and "jq" not in script
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=PROJECT_ROOT,
        env=clean_env(PORT=str(dev_host.port)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    statuses = [int(s) for s in re.findall(r"^HTTP/1\.1 (\d{3}) ", result.stdout, re.M)]
    assert statuses == [201, 400, 201, 200, 200, 412, 405, 200, 204, 204], result.stdout
    assert "resourceModified" in result.stdout and "methodNotAllowed" in result.stdout
    assert '"id":"1","status":201' in result.stdout and '"id":"2","status":200' in result.stdout  # $batch
    auth = {"Authorization": f"Bearer {make_token()}"}
    listed = requests.get(f"{dev_host.url}/me/profile/account", headers=auth, timeout=30)
    assert listed.status_code == 200 and listed.json()["value"] == [], "the walkthrough cleans up after itself"


def test_make_token_needs_no_port(dev_host: LocalHost) -> None:
    """A token from `make -s token` without PORT is accepted by a host on another port."""
    assert dev_host.port != 7071
    token = make_token()
    response = requests.post(f"{dev_host.url}/me/profile", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 201, response.text


def test_host_level_answers_use_graphs_envelope(dev_host: LocalHost) -> None:
    auth = {"Authorization": f"Bearer {make_token()}", "client-request-id": "walk-1"}
    for method, path, status, code in (
        ("PUT", "me/profile", 405, "methodNotAllowed"),
        ("GET", "no/such/route", 404, "itemNotFound"),
        ("POST", "me/profile/account/x/y", 404, "itemNotFound"),
    ):
        response = requests.request(method, f"{dev_host.url}/{path}", headers=auth, timeout=30)
        assert response.status_code == status, (method, path, response.text)
        error = response.json()["error"]
        assert error["code"] == code and error["innerError"]["client-request-id"] == "walk-1"
        assert response.headers["request-id"] == error["innerError"]["request-id"]
    assert requests.put(f"{dev_host.url}/ME/Profile", headers=auth, timeout=30).headers["Allow"] == "DELETE, GET, POST"
    assert requests.get(f"{dev_host.url}/ME/PROFILE", headers=auth, timeout=30).status_code == 200, "specific first"
    outside = requests.get(dev_host.url.removesuffix("/api") + "/elsewhere", timeout=30)
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "itemNotFound"
    deleted = requests.delete(f"{dev_host.url}/me/profile", headers=auth, timeout=30)
    assert deleted.status_code == 204 and "Content-Type" not in deleted.headers and deleted.content == b""


def linked_project(tmp_path: Path) -> Path:
    """A project folder running the real app (symlinks) with its own local.settings.json."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("function_app.py", "host.json", "functions", "shared"):
        (project / name).symlink_to(PROJECT_ROOT / name)
    return project


def test_local_settings_json_is_applied_and_the_environment_wins(tmp_path: Path) -> None:
    project = linked_project(tmp_path)
    from_file, from_env = tmp_path / "from-file.sqlite3", tmp_path / "from-env.sqlite3"
    secret = "c2VjcmV0LWtleS1uZXZlci1wcmludGVk"
    (project / "local.settings.json").write_text(
        json.dumps(
            {
                "IsEncrypted": False,
                "Values": {
                    "FUNCTIONS_WORKER_RUNTIME": "python",
                    "AzureWebJobsStorage": "",
                    "PROFILE_STORE": "sqlite",
                    "PROFILE_SQLITE_PATH": str(from_file),
                    "MAX_BODY_BYTES": "1000",
                    "COSMOS_KEY": secret,
                },
            }
        )
    )
    token = make_token()
    auth = {"Authorization": f"Bearer {token}"}

    # An empty variable counts as unset: the file's value applies.
    host = LocalHost(clean_env(PROFILE_SQLITE_PATH=""), project, local_settings=True, inherit_env=False).start()
    try:
        assert requests.post(f"{host.url}/me/profile", headers=auth, timeout=30).status_code == 201
        big = requests.post(
            f"{host.url}/me/profile/account",
            headers={**auth, "Content-Type": "application/json"},
            data=b"{" + b" " * 1000 + b"}",
            timeout=30,
        )
        assert big.status_code == 413 and big.json()["error"]["code"] == "requestTooLarge", "MAX_BODY_BYTES from file"
    finally:
        host.stop()
    assert from_file.exists() and not from_env.exists()
    assert f"store:  SQLite {from_file}" in host.stdout and "tokens: development issuer" in host.stdout
    assert "settings: local.settings.json, 6 applied" in host.stdout
    assert secret not in host.stdout + host.output()

    host = LocalHost(clean_env(PROFILE_SQLITE_PATH=str(from_env)), project, local_settings=True, inherit_env=False)
    host.start()
    try:
        assert requests.post(f"{host.url}/me/profile", headers=auth, timeout=30).status_code == 201
    finally:
        host.stop()
    assert from_env.exists(), "the environment wins over the file"
    assert f"store:  SQLite {from_env}" in host.stdout
    assert "from the environment instead: PROFILE_SQLITE_PATH" in host.stdout


def test_the_banner_names_a_cosmos_endpoint_but_never_its_key() -> None:
    """The store client is created on first use, so the host starts (and says where) before any Cosmos call."""
    key = "bG9jYWwtdGVzdC1rZXk="
    env = clean_env(PROFILE_STORE="cosmos", COSMOS_ENDPOINT="https://127.0.0.1:1/", COSMOS_KEY=key)
    host = LocalHost(env, PROJECT_ROOT, inherit_env=False).start()
    host.stop()
    assert (
        "store:  Cosmos DB https://127.0.0.1:1, database profiles, container profiles, account key (COSMOS_KEY)"
        in host.stdout
    )
    assert key not in host.stdout + host.output()


def test_these_hosts_are_what_make_run_starts() -> None:
    """The tests above start `python -m devhost`; so does `make run` (with local.settings.json read by default)."""
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    run = re.search(r"^run:.*\n\t(.*)$", makefile, re.M)
    assert run and run[1].strip() == "$(PY) -m devhost"


def test_a_burst_of_first_requests_on_a_fresh_host_is_served(dev_host: LocalHost) -> None:
    """More simultaneous first requests than the host has threads: none may wait on a key fetch to itself."""
    from concurrent.futures import ThreadPoolExecutor

    token = make_token()

    def call(_: int) -> int:
        response = requests.get(f"{dev_host.url}/me/profile", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        return response.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(call, range(16)))
    assert statuses == [200] * 16
