"""`python -m devhost` start-up failures: a clear message on stderr, exit status 2, never a traceback."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.localhost import PROJECT_ROOT, LocalHost

APP = """
import os
import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="env/{name}", methods=["GET"])
def env(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(os.environ.get(req.route_params["name"], "<unset>"))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "function_app.py").write_text(APP)
    return tmp_path


def devhost(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m devhost` in `project` until it exits (these runs all fail at start-up)."""
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "devhost", *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_busy_port_is_named_with_how_to_choose_another(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = devhost(project, "--port", str(port), "--no-local-settings")
    assert result.returncode == 2, result.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert re.search(r"Choose another port: PORT=\d+ make run", result.stderr)
    assert "Traceback" not in result.stderr and "listening" not in result.stdout


def test_the_port_from_the_environment_is_the_one_named(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = devhost(project, "--no-local-settings", env={"PORT": str(port)})
    assert result.returncode == 2 and f"port {port} " in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"Values": {"PORT": "1",}}', "is not valid JSON (line 1, column 25)"),
        (json.dumps({"IsEncrypted": True, "Values": {}}), "func settings decrypt"),
    ],
)
def test_an_unusable_local_settings_file_stops_start_up(project: Path, content: str, says: str) -> None:
    (project / "local.settings.json").write_text(content)
    result = devhost(project, "--port", "0")
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr
    assert "local.settings.json" in result.stderr


def test_a_bad_setting_from_the_file_is_named(project: Path) -> None:
    (project / "local.settings.json").write_text(json.dumps({"Values": {"MAX_BODY_BYTES": "lots"}}))
    result = devhost(project, "--port", "0", env={"MAX_BODY_BYTES": ""})
    assert result.returncode == 2 and "MAX_BODY_BYTES" in result.stderr and "Traceback" not in result.stderr


def test_a_named_settings_file_must_exist(project: Path) -> None:
    result = devhost(project, "--port", "0", "--local-settings", str(project / "nope.json"))
    assert result.returncode == 2 and "nope.json does not exist" in result.stderr


def test_a_named_settings_file_is_applied_and_the_environment_wins(project: Path) -> None:
    other = project / "other.settings.json"
    other.write_text(json.dumps({"Values": {"FROM_FILE": "file", "BOTH": "file"}}))
    (project / "local.settings.json").write_text("not JSON: never read when another file is named")
    host = LocalHost(
        {"BOTH": "environment", "FROM_FILE": ""},
        project,
        local_settings=True,
        extra_args=("--local-settings", str(other)),
    ).start()
    try:
        assert requests.get(f"{host.url}/env/FROM_FILE", timeout=5).text == "file"
        assert requests.get(f"{host.url}/env/BOTH", timeout=5).text == "environment"
    finally:
        host.stop()
    assert "settings: other.settings.json, 1 applied; from the environment instead: BOTH" in host.stdout


def test_without_local_settings_the_file_is_not_read(project: Path) -> None:
    (project / "local.settings.json").write_text(json.dumps({"Values": {"FROM_FILE": "file"}}))
    host = LocalHost({"FROM_FILE": ""}, project).start()  # the plugin's default: --no-local-settings
    try:
        assert requests.get(f"{host.url}/env/FROM_FILE", timeout=5).text == ""
    finally:
        host.stop()
    assert "settings:" not in host.stdout
