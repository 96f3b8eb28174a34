"""The `tests.support.localhost` plugin: `python -m devhost --port 0` as a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.support.localhost import LocalHost, start_local_host

FUNCTION_APP = """
import json, os, pathlib
import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="state/{key}", methods=["GET", "PUT"])
def state(req: func.HttpRequest) -> func.HttpResponse:
    path = pathlib.Path(os.environ["STATE_DIR"]) / req.route_params["key"]
    if req.method == "PUT":
        path.write_bytes(req.get_body())
    body = {"value": path.read_text() if path.exists() else None, "port": os.environ.get("PORT"),
            "marker": os.environ.get("MARKER")}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")


@app.route(route="boom")
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("kaboom-detail")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway project folder holding a function_app.py."""
    (tmp_path / "function_app.py").write_text(FUNCTION_APP)
    (tmp_path / "state").mkdir()
    return tmp_path


def test_start_serve_restart_stop(project: Path) -> None:
    host = start_local_host({"STATE_DIR": str(project / "state"), "MARKER": "m1"}, cwd=project)
    try:
        assert host.url == f"http://127.0.0.1:{host.port}/api" and host.port != 0
        first = requests.put(f"{host.url}/state/k", data=b"kept", timeout=5).json()
        assert first == {"value": "kept", "port": str(host.port), "marker": "m1"}  # PORT follows --port 0

        assert requests.get(f"{host.url}/boom?token=secret", timeout=5).status_code == 500
        assert host.process is not None
        pid, url = host.process.pid, host.url
        host.restart()
        assert host.process is not None and host.process.pid != pid and host.url == url  # same port after a restart
        assert requests.get(f"{host.url}/state/k", timeout=5).json()["value"] == "kept"
    finally:
        host.stop()
    assert host.process is not None and host.process.poll() == 0  # SIGTERM is a clean shutdown
    assert "secret" not in host.output()  # request lines never carry the query string


def test_stderr_has_the_traceback_and_request_lines(project: Path) -> None:
    host = start_local_host({"STATE_DIR": str(project / "state")}, cwd=project)
    try:
        requests.get(f"{host.url}/boom", timeout=5)
        requests.get(f"{host.url}/state/none", timeout=5)
    finally:
        host.stop()
    log = host.output()
    assert "RuntimeError: kaboom-detail" in log
    assert "GET /api/boom 500" in log and "GET /api/state/none 200" in log


def test_failure_to_start_reports_stderr(project: Path) -> None:
    (project / "function_app.py").write_text("raise SystemExit('broken app: cannot import')\n")
    with pytest.raises(RuntimeError, match="broken app: cannot import"):
        start_local_host({}, cwd=project, timeout=20)


def test_stop_is_idempotent(project: Path) -> None:
    host = LocalHost({"STATE_DIR": str(project / "state")}, project).start()
    host.stop()
    host.stop()
    assert host.process is not None and host.process.returncode == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{host.url}/state/x", timeout=5)
