"""The development issuer: key generation, discovery over real HTTP via the blueprint, round trip."""

from __future__ import annotations

import json
import os
import re
import runpy
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import azure.functions as func
import jwt
import pytest

from shared.auth import Authenticator, authorize, dev_issuer
from shared.errors import Forbidden
from shared.settings import DEV_AUDIENCE, DEV_TENANT_ID, Settings, get_settings
from tests.functions.helpers import FUNCTIONS, TABLE
from tests.unit.auth.helpers import reject

PROJECT_ROOT = Path(__file__).resolve().parents[3]
KEY_FILES = sorted([dev_issuer.PRIVATE_KEY_FILE, dev_issuer.PUBLIC_KEY_FILE])
_ROUTE = re.compile(
    r"^/api/dev-issuer/(?P<tenant>[^/]+)/(?P<rest>v2\.0/\.well-known/openid-configuration|discovery/v2\.0/keys)$"
)
_FUNCTIONS = {
    "v2.0/.well-known/openid-configuration": FUNCTIONS["dev_issuer_openid_configuration"],
    "discovery/v2.0/keys": FUNCTIONS["dev_issuer_keys"],
}


class BlueprintHost:
    """Serves the dev-issuer blueprint's functions over real HTTP on 127.0.0.1 (a minimal host)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.hits.append(self.path)
                match = _ROUTE.match(self.path)
                if match is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                request = func.HttpRequest(
                    method="GET",
                    url=f"http://127.0.0.1:{host.port}{self.path}",
                    body=b"",
                    route_params={"tenant": match["tenant"]},
                    headers=dict(self.headers),
                )
                response = _FUNCTIONS[match["rest"]](request)
                body = response.get_body()
                self.send_response(response.status_code)
                self.send_header("Content-Type", response.mimetype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def key_dir(tmp_path, monkeypatch) -> Path:
    """The issuer's key directory, redirected into the test's tmp folder."""
    directory = tmp_path / "dev-issuer"
    monkeypatch.setattr(dev_issuer, "default_key_dir", lambda: directory)
    return directory


@pytest.fixture
def dev_host(key_dir, monkeypatch) -> Iterator[tuple[BlueprintHost, Settings]]:
    """The blueprint on a local HTTP server, with process settings for the development issuer on its port."""
    host = BlueprintHost()
    for name in ("ENTRA_TENANT_ID", "ENTRA_AUDIENCES", "ENTRA_AUTHORITY", "WEBSITE_INSTANCE_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORT", str(host.port))
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert settings.dev_issuer and settings.port == host.port
        yield host, settings
    finally:
        host.stop()
        get_settings.cache_clear()


def test_round_trip_delegated(dev_host):
    host, settings = dev_host
    token = dev_issuer.mint_token(
        settings, user="Megan.Bowen@contoso.dev", scopes=["User.ReadWrite"], roles=[], name=None
    )
    principal = Authenticator(settings).authenticate({"Authorization": f"Bearer {token}"}, {})
    assert principal.tenant_id == DEV_TENANT_ID and not principal.is_app
    assert principal.object_id == dev_issuer.dev_object_id("megan.bowen@contoso.dev")
    assert principal.upn == "Megan.Bowen@contoso.dev" and principal.display_name == "Megan Bowen"
    assert principal.scopes == {"User.ReadWrite"}
    assert authorize(principal, write=True, target="megan.bowen@CONTOSO.dev") is True
    assert any(p.endswith("/.well-known/openid-configuration") for p in host.hits)
    assert any(p.endswith("/discovery/v2.0/keys") for p in host.hits)


def test_round_trip_app_only(dev_host):
    _, settings = dev_host
    token = dev_issuer.mint_token(settings, user=None, scopes=[], roles=["User.ReadWrite.All"], name=None)
    principal = Authenticator(settings).authenticate({"Authorization": f"Bearer {token}"}, {})
    assert principal.is_app and principal.roles == {"User.ReadWrite.All"}
    assert principal.app_id == dev_issuer.DEV_CLIENT_ID and principal.app_display_name == dev_issuer.DEV_APP_NAME
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["idtyp"] == "app" and "scp" not in claims and "preferred_username" not in claims


def test_no_scopes_no_roles_mints_a_token_that_authorize_refuses(dev_host):
    _, settings = dev_host
    token = dev_issuer.mint_token(settings, user="a@contoso.dev", scopes=[], roles=[], name="A")
    principal = Authenticator(settings).authenticate({"Authorization": f"Bearer {token}"}, {})
    with pytest.raises(Forbidden) as caught:
        authorize(principal, write=True, target="me")
    assert caught.value.status == 403


def test_expired_dev_token_is_rejected(dev_host):
    _, settings = dev_host
    token = dev_issuer.mint_token(
        settings, user="a@contoso.dev", scopes=["User.Read"], roles=[], name=None, lifetime_s=-600
    )
    reject(lambda: Authenticator(settings).authenticate({"Authorization": f"Bearer {token}"}, {}), token)


def test_dev_token_against_a_production_tenant_is_401(dev_host, identity):
    _, settings = dev_host
    token = dev_issuer.mint_token(settings, user="a@contoso.dev", scopes=["User.ReadWrite"], roles=[], name=None)
    reject(lambda: identity.authenticator().authenticate(identity.bearer(token), {}), token)


def test_claims_shape(dev_host):
    _, settings = dev_host
    token = dev_issuer.mint_token(
        settings, user="adele.vance@contoso.dev", scopes=["User.Read", "User.ReadWrite"], roles=[], name="Adele V"
    )
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "RS256" and header["kid"] == dev_issuer.jwks(settings)["keys"][0]["kid"]
    assert claims["ver"] == "2.0" and claims["aud"] == DEV_AUDIENCE and claims["tid"] == DEV_TENANT_ID
    assert claims["iss"] == f"https://profile-api.invalid/dev-issuer/{DEV_TENANT_ID}/v2.0", "no port in the issuer"
    assert claims["scp"] == "User.Read User.ReadWrite" and claims["name"] == "Adele V"
    assert claims["exp"] - claims["iat"] == 3600 and claims["nbf"] == claims["iat"]
    again_token = dev_issuer.mint_token(
        settings, user="ADELE.VANCE@contoso.dev", scopes=["User.Read"], roles=[], name=None
    )
    again = jwt.decode(again_token, options={"verify_signature": False})
    assert again["oid"] == claims["oid"], "same user, same oid"


def test_discovery_document_matches_entra_shape(dev_host):
    _, settings = dev_host
    document = dev_issuer.discovery_document(settings)
    base = f"{settings.authority}/{settings.tenant_id}"
    assert document["issuer"] == dev_issuer.issuer(settings) == f"{dev_issuer.DEV_ISSUER_ID}/{DEV_TENANT_ID}/v2.0"
    assert document["jwks_uri"] == f"{base}/discovery/v2.0/keys"
    assert base.startswith(f"http://127.0.0.1:{settings.port}/api/dev-issuer/"), "keys are fetched from the running app"
    assert settings.metadata_url == f"{base}/v2.0/.well-known/openid-configuration"


def test_jwks_publishes_only_the_public_key(dev_host):
    _, settings = dev_host
    (entry,) = dev_issuer.jwks(settings)["keys"]
    assert entry["kty"] == "RSA" and entry["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(entry)


@pytest.mark.parametrize("path", ["v2.0/.well-known/openid-configuration", "discovery/v2.0/keys"])
def test_blueprint_answers_404_json_for_another_tenant(dev_host, path):
    _, settings = dev_host
    request = func.HttpRequest(method="GET", url="http://x", body=b"", route_params={"tenant": "common"})
    response = _FUNCTIONS[path](request)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert json.loads(response.get_body())["error"]["code"] == "itemNotFound"
    tenant = settings.tenant_id.upper()
    request = func.HttpRequest(method="GET", url="http://x", body=b"", route_params={"tenant": tenant})
    assert _FUNCTIONS[path](request).status_code == 200


def test_blueprint_serves_nothing_when_a_tenant_is_configured(key_dir, monkeypatch):
    monkeypatch.setenv("ENTRA_TENANT_ID", DEV_TENANT_ID)
    monkeypatch.setenv("ENTRA_AUDIENCES", "api://x")
    monkeypatch.delenv("WEBSITE_INSTANCE_ID", raising=False)
    get_settings.cache_clear()
    try:
        request = func.HttpRequest(method="GET", url="http://x", body=b"", route_params={"tenant": DEV_TENANT_ID})
        for function in _FUNCTIONS.values():
            assert function(request).status_code == 404
        with pytest.raises(RuntimeError):
            dev_issuer.mint_token(get_settings(), user=None, scopes=["User.Read"], roles=[], name=None)
    finally:
        get_settings.cache_clear()
    assert not key_dir.exists(), "no key is generated when the development issuer is off"


def test_development_issuer_routes():
    routes = {row.name: (row.method, row.template) for row in TABLE if row.name.startswith("dev_issuer")}
    assert routes == {
        "dev_issuer_openid_configuration": ("GET", "dev-issuer/{tenant}/v2.0/.well-known/openid-configuration"),
        "dev_issuer_keys": ("GET", "dev-issuer/{tenant}/discovery/v2.0/keys"),
        "dev_issuer_authorize": ("GET", "dev-issuer/{tenant}/oauth2/v2.0/authorize"),
        "dev_issuer_authorize_choice": ("POST", "dev-issuer/{tenant}/oauth2/v2.0/authorize"),
        "dev_issuer_token": ("POST", "dev-issuer/{tenant}/oauth2/v2.0/token"),
    }


def test_key_is_generated_once_and_private(tmp_path):
    directory = tmp_path / "keys"
    key, kid = dev_issuer.signing_key(directory)
    assert (directory / dev_issuer.PRIVATE_KEY_FILE).exists()
    if os.name == "posix":
        assert stat.S_IMODE((directory / dev_issuer.PRIVATE_KEY_FILE).stat().st_mode) == 0o600
    assert kid == dev_issuer.thumbprint(key.public_key())
    assert sorted(p.name for p in directory.iterdir()) == KEY_FILES, "no temp files left"
    dev_issuer.clear_cache()
    assert dev_issuer.signing_key(directory)[1] == kid, "re-read from disk, not regenerated"


def test_rfc7638_thumbprint_example():
    """RFC 7638 §3.1's example key has thumbprint NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from jwt.algorithms import RSAAlgorithm

    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs"
        "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajr"
        "n1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    public = RSAAlgorithm.from_jwk({"kty": "RSA", "n": n, "e": "AQAB"})
    assert isinstance(public, RSAPublicKey)
    assert dev_issuer.thumbprint(public) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


_RACER = """
import sys, time
from pathlib import Path
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
from shared.auth.dev_issuer import signing_key
print(signing_key(Path(sys.argv[1]))[1])
"""


def test_concurrent_first_use_from_several_processes_yields_one_key(tmp_path):
    directory, go = tmp_path / "race", tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(directory), str(go)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    go.touch()
    kids = {racer.communicate(timeout=60)[0].strip() for racer in racers}
    assert all(racer.returncode == 0 for racer in racers)
    assert len(kids) == 1 and "" not in kids
    assert sorted(p.name for p in directory.iterdir()) == KEY_FILES
    dev_issuer.clear_cache()
    assert dev_issuer.signing_key(directory)[1] == kids.pop()


def _run_token_script(monkeypatch, capsys, expect: int = 0, **env: str) -> tuple[str, str]:
    names = ("USER", "NAME", "SCOPES", "ROLES", "ENTRA_TENANT_ID", "ENTRA_AUDIENCES", "WEBSITE_INSTANCE_ID", "PORT")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as caught:
            runpy.run_path(str(PROJECT_ROOT / "scripts" / "dev_token.py"), run_name="__main__")
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    assert caught.value.code == expect, err
    assert out.count("\n") == (1 if expect == 0 else 0)
    return out.strip(), err


def test_token_script_defaults(dev_host, monkeypatch, capsys):
    _, settings = dev_host
    token, _ = _run_token_script(monkeypatch, capsys, USER="root")
    principal = Authenticator(settings).authenticate({"Authorization": f"Bearer {token}"}, {})
    assert principal.upn == dev_issuer.DEFAULT_USER and principal.scopes == {"User.ReadWrite"}


def test_token_script_options(dev_host, monkeypatch, capsys):
    _, settings = dev_host
    token, _ = _run_token_script(
        monkeypatch, capsys, USER="megan@contoso.dev", NAME="Megan", SCOPES="User.Read, User.Read.All"
    )
    principal = Authenticator(settings).authenticate({"Authorization": f"Bearer {token}"}, {})
    assert principal.upn == "megan@contoso.dev" and principal.display_name == "Megan"
    assert principal.scopes == {"User.Read", "User.Read.All"}


def test_token_script_app_only(dev_host, monkeypatch, capsys):
    _, settings = dev_host
    token, _ = _run_token_script(monkeypatch, capsys, ROLES="User.Read.All")
    principal = Authenticator(settings).authenticate({"Authorization": f"Bearer {token}"}, {})
    assert principal.is_app and principal.roles == {"User.Read.All"}


def test_token_script_refuses_in_azure(key_dir, monkeypatch, capsys):
    out, err = _run_token_script(monkeypatch, capsys, expect=2, WEBSITE_INSTANCE_ID="abc")
    assert out == "" and "ENTRA_TENANT_ID" in err and "Azure" in err
    assert not key_dir.exists(), "no key is generated in Azure"


def test_a_token_for_the_default_port_is_accepted_by_a_host_on_another_port(dev_host, monkeypatch):
    """`make -s token` needs no PORT: the issuer names no port, the keys come from the running host."""
    host, settings = dev_host
    monkeypatch.delenv("PORT")
    get_settings.cache_clear()
    default = get_settings()
    assert default.port == 7071 != host.port
    token = dev_issuer.mint_token(default, user=None, scopes=["User.Read"], roles=[], name=None)
    principal = Authenticator(settings).authenticate({"Authorization": f"Bearer {token}"}, {})
    assert principal.upn == dev_issuer.DEFAULT_USER
    assert f":{host.port}/" in settings.metadata_url and host.hits, "keys fetched from the running host"


def test_discovery_names_the_jwks_where_it_was_reached(dev_host):
    _, settings = dev_host
    url = f"http://localhost:9999/API/Dev-Issuer/{DEV_TENANT_ID}/v2.0/.well-known/openid-configuration"
    request = func.HttpRequest(method="GET", url=url, body=b"", route_params={"tenant": DEV_TENANT_ID})
    document = json.loads(_FUNCTIONS["v2.0/.well-known/openid-configuration"](request).get_body())
    assert document["jwks_uri"] == f"http://localhost:9999/API/Dev-Issuer/{DEV_TENANT_ID}/discovery/v2.0/keys"
    assert document["issuer"] == dev_issuer.issuer(settings)


def test_serving_the_jwks_parses_no_private_key(key_dir, dev_host, monkeypatch):
    _, settings = dev_host
    _, kid = dev_issuer.signing_key()
    dev_issuer.clear_cache()

    def refuse(*_args, **_kwargs):
        raise AssertionError("the private key was parsed")

    monkeypatch.setattr(dev_issuer, "_load_private", refuse)
    (entry,) = dev_issuer.jwks(settings)["keys"]
    assert entry["kid"] == kid and entry["issuer"] == dev_issuer.issuer(settings)


def test_public_file_for_another_pem_or_missing_is_rewritten(tmp_path):
    directory = tmp_path / "keys"
    key, kid = dev_issuer.signing_key(directory)
    public = directory / dev_issuer.PUBLIC_KEY_FILE
    stale = json.loads(public.read_text())
    stale["pem_sha256"] = "0" * 64
    stale["key"]["kid"] = "someone-elses-kid"
    public.write_text(json.dumps(stale))
    dev_issuer.clear_cache()
    assert dev_issuer.public_jwk(directory)["kid"] == kid
    assert json.loads(public.read_text())["key"]["kid"] == kid, "rewritten for the PEM on disk"
    public.unlink()  # as left by an older version that kept only the PEM
    dev_issuer.clear_cache()
    assert dev_issuer.public_jwk(directory)["kid"] == kid and public.exists()
    assert dev_issuer.public_jwk(directory)["n"] == dev_issuer._public_numbers(key.public_key())["n"]


def test_the_rsa_check_runs_once_per_pem(tmp_path, monkeypatch):
    """The slow consistency check runs when the public file is written, not on every later load."""
    from cryptography.hazmat.primitives import serialization

    real, skipped = serialization.load_pem_private_key, []

    def spy(data, password, *, unsafe_skip_rsa_key_validation=False):
        skipped.append(unsafe_skip_rsa_key_validation)
        return real(data, password, unsafe_skip_rsa_key_validation=unsafe_skip_rsa_key_validation)

    monkeypatch.setattr(serialization, "load_pem_private_key", spy)
    directory = tmp_path / "keys"
    dev_issuer.signing_key(directory)
    dev_issuer.clear_cache()
    dev_issuer.signing_key(directory)
    pem = directory / dev_issuer.PRIVATE_KEY_FILE
    pem.write_bytes(pem.read_bytes() + b"\n")
    dev_issuer.clear_cache()
    dev_issuer.signing_key(directory)
    assert skipped == [False, True, False], "checked, then trusted by hash, then checked again once the PEM changed"


def test_token_script_notes_a_tenant_in_local_settings(tmp_path):
    """`make run` would trust the tenant in local.settings.json: say so, still print the token."""
    script = runpy.run_path(str(PROJECT_ROOT / "scripts" / "dev_token.py"), run_name="dev_token")
    settings_file = tmp_path / "local.settings.json"
    settings_file.write_text(json.dumps({"Values": {"ENTRA_TENANT_ID": "3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c"}}))
    assert script["_tenant_in_local_settings"].__globals__["ROOT"] == PROJECT_ROOT
    script["_tenant_in_local_settings"].__globals__["ROOT"] = tmp_path
    assert script["_tenant_in_local_settings"]() is True
    settings_file.write_text(json.dumps({"Values": {"ENTRA_TENANT_ID": ""}}))
    assert script["_tenant_in_local_settings"]() is False
    settings_file.write_text("{not json")
    assert script["_tenant_in_local_settings"]() is False
