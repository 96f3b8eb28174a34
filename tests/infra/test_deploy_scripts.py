"""scripts/write_local_settings.py and scripts/smoke.py, run for real (no azd, no Azure)."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tests.infra.bicep_support import ROOT

SCRIPTS = ROOT / "scripts"
AZD_VALUES = """AZURE_FUNCTION_URL="https://func-abc.azurewebsites.net"
PROFILE_STORE="cosmos"
COSMOS_ENDPOINT="https://cosmos-abc.documents.azure.com:443/"
COSMOS_DATABASE="profiles"
COSMOS_CONTAINER="profiles"
API_IDENTITY_CLIENT_ID="11111111-1111-1111-1111-111111111111"
ENTRA_TENANT_ID="22222222-2222-2222-2222-222222222222"
ENTRA_AUDIENCES="33333333-3333-3333-3333-333333333333,api://22222222-2222-2222-2222-222222222222/profile-api-abc"
ENTRA_AUTHORITY="https://login.microsoftonline.com"
MAX_BODY_BYTES="65536"
MAX_FACETS_PER_USER="100"
MAX_BATCH_BODY_BYTES="2097152"
MAX_RESPONSE_BYTES="4194304"
MAX_STORED_BYTES_PER_USER="8388608"
DIRECTORY="graph"
GRAPH_ENDPOINT="https://graph.microsoft.com"
QUOTED="say \\"hi\\""
"""


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_script_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wls():
    return _load("write_local_settings")


def _run(script, *args, env=None):
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_parses_azd_env_values(wls):
    values = wls.parse_env_values(AZD_VALUES + "\n# comment\n\nNOT A LINE\n")
    assert values["COSMOS_DATABASE"] == "profiles"
    assert values["QUOTED"] == 'say "hi"'
    assert values["ENTRA_AUDIENCES"].count(",") == 1


def test_writes_local_settings_and_keeps_other_entries(wls, tmp_path):
    target = tmp_path / "local.settings.json"
    target.write_text(json.dumps({"IsEncrypted": False, "Values": {"MY_OWN": "x", "PROFILE_STORE": "sqlite"}}))
    source = tmp_path / "values.env"
    source.write_text(AZD_VALUES)
    result = _run("write_local_settings.py", "--from-file", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    values = json.loads(target.read_text())["Values"]
    assert values["MY_OWN"] == "x"
    assert values["PROFILE_STORE"] == "cosmos"
    assert values["FUNCTIONS_WORKER_RUNTIME"] == "python"
    assert values["AzureWebJobsStorage"] == "UseDevelopmentStorage=true"
    assert values["ENTRA_TENANT_ID"] == "22222222-2222-2222-2222-222222222222"
    assert values["DIRECTORY"] == "graph"
    assert values["GRAPH_ENDPOINT"] == "https://graph.microsoft.com"
    # The managed identity exists only in Azure: neither its output nor the app setting is copied.
    assert "AZURE_CLIENT_ID" not in values and "API_IDENTITY_CLIENT_ID" not in values


def test_local_directory_option(tmp_path):
    target = tmp_path / "local.settings.json"
    source = tmp_path / "values.env"
    source.write_text(AZD_VALUES)
    result = _run("write_local_settings.py", "--from-file", str(source), "-o", str(target), "--local-directory")
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text())["Values"]["DIRECTORY"] == "local"


def test_an_environment_provisioned_before_the_directory_settings_is_reported(wls):
    older = "\n".join(line for line in AZD_VALUES.splitlines() if not line.startswith(("DIRECTORY", "GRAPH_")))
    with pytest.raises(wls.ScriptError, match="DIRECTORY, GRAPH_ENDPOINT"):
        wls.build_values(wls.parse_env_values(older))


def test_dev_issuer_option_drops_the_entra_settings(wls):
    values = wls.build_values(wls.parse_env_values(AZD_VALUES), dev_issuer=True)
    assert not {"ENTRA_TENANT_ID", "ENTRA_AUDIENCES", "ENTRA_AUTHORITY"} & set(values)
    assert values["COSMOS_ENDPOINT"].startswith("https://")


def test_reports_missing_values(wls):
    with pytest.raises(wls.ScriptError, match="COSMOS_ENDPOINT"):
        wls.build_values({"PROFILE_STORE": "cosmos"})


@pytest.mark.parametrize("script", ["write_local_settings.py", "smoke.py"])
def test_without_azd_prints_a_message_not_a_traceback(tmp_path, script):
    env = {k: v for k, v in os.environ.items() if k not in ("AZURE_FUNCTION_URL", "ENTRA_API_IDENTIFIER_URI")}
    env["PATH"] = str(tmp_path)  # no azd, no az
    result = _run(script, env=env)
    assert result.returncode == 2
    assert "azd" in result.stderr and "Traceback" not in result.stderr


def test_smoke_uses_only_the_standard_library():
    for name in ("smoke.py", "write_local_settings.py"):
        tree = ast.parse((SCRIPTS / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                root = module.split(".")[0]
                sibling = (SCRIPTS / f"{root}.py").exists()
                assert root in sys.stdlib_module_names or sibling, f"{name} imports {module}"


class _FakeApi(BaseHTTPRequestHandler):
    """POST: 401 without a bearer token, 201 with one (or 200 everywhere when `open` is set).
    GET /api/openapi.json: `openapi_status` (200 like the app; 401 like Easy Auth without the exclusion);
    GET /api/docs and its files: `explorer_status` likewise."""

    open: ClassVar[bool] = False
    openapi_status: ClassVar[int] = 200
    explorer_status: ClassVar[int] = 200
    seen: ClassVar[list] = []

    def do_GET(self):
        type(self).seen.append((self.path, self.headers.get("Authorization"), None))
        if self.path == "/api/openapi.json":
            status = type(self).openapi_status
        else:
            status = type(self).explorer_status if self.path.startswith("/api/docs") else 404
        payload = b'{"openapi": "3.1.0"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"null")
        type(self).seen.append((self.path, self.headers.get("Authorization"), body))
        if type(self).open:
            status = 200
        else:
            status = 201 if (self.headers.get("Authorization") or "").startswith("Bearer ") else 401
        payload = b'{"id": "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeApi)
    _FakeApi.seen, _FakeApi.open, _FakeApi.openapi_status, _FakeApi.explorer_status = [], False, 200, 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _FakeApi
    server.shutdown()
    server.server_close()


def _smoke(url, token="not-a-real-token-0123456789"):  # noqa: S107 (a placeholder the fake API accepts, no credential)
    env = dict(os.environ, PROFILE_API_TOKEN=token)
    return _run("smoke.py", "--url", url, "--api", "api://tenant/profile-api-test", env=env)


def test_smoke_passes_against_a_conforming_api(fake_api):
    url, handler = fake_api
    result = _smoke(url)
    assert result.returncode == 0, result.stdout + result.stderr
    explorer = ["/api/docs", "/api/docs/swagger-ui-bundle.js"]
    assert [s[0] for s in handler.seen] == ["/api/openapi.json", *explorer] + ["/api/me/profile/account"] * 2
    assert all(seen[1] is None for seen in handler.seen[:4])
    assert handler.seen[4][1] == "Bearer not-a-real-token-0123456789"
    assert handler.seen[4][2] == {"allowedAudiences": "organization", "countryCode": "NO"}
    assert "not-a-real-token" not in result.stdout + result.stderr  # never printed


def test_smoke_fails_when_the_openapi_document_needs_a_token(fake_api):
    url, handler = fake_api
    handler.openapi_status = 401  # Easy Auth without the excluded path
    result = _smoke(url)
    assert result.returncode == 1
    assert "[FAIL] GET /api/openapi.json without a token: HTTP 401 (expected 200)" in result.stdout


def test_smoke_fails_when_the_explorer_needs_a_token(fake_api):
    url, handler = fake_api
    handler.explorer_status = 401  # Easy Auth without the explorer's excluded paths
    result = _smoke(url)
    assert result.returncode == 1
    assert "[FAIL] GET /api/docs without a token: HTTP 401 (expected 200)" in result.stdout
    assert "[FAIL] GET /api/docs/swagger-ui-bundle.js without a token: HTTP 401 (expected 200)" in result.stdout


def test_smoke_fails_when_the_api_is_open(fake_api):
    url, handler = fake_api
    handler.open = True
    result = _smoke(url)
    assert result.returncode == 1
    assert "FAIL" in result.stdout
