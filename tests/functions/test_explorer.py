"""The API explorer's page and files (functions/explorer.py), called as the worker calls them."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import azure.functions as func
import pytest

from functions import explorer
from shared.auth.dev_issuer import DEV_CLIENT_ID
from shared.explorer import assets
from shared.settings import get_settings
from tests.functions.helpers import FUNCTIONS
from tests.functions.test_function_app import ROOT

TENANT = "3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c"
APP_ID = "5d3a0c1e-8b7f-4e2d-9a6c-1f0e2d3c4b5a"


def get(path: str, headers: dict[str, str] | None = None) -> func.HttpResponse:
    """GET /api/<path> through the function the host would pick (the page, or a file by name)."""
    name, route = ("docs_page", {}) if path == "docs" else ("docs_asset", {"asset": path.split("/", 1)[1]})
    request = func.HttpRequest(
        "GET", f"http://127.0.0.1:7071/api/{path}", headers=headers or {}, body=b"", route_params=route
    )
    return FUNCTIONS[name](request)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings read again, and the page and files read again, for this test and after it."""
    explorer._page.cache_clear()
    assets.load.cache_clear()
    get_settings.cache_clear()
    yield
    explorer._page.cache_clear()
    assets.load.cache_clear()
    get_settings.cache_clear()


class Markup(HTMLParser):
    """What a page loads and whether anything in it is inline (what a CSP without 'unsafe-inline' blocks)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline: list[str] = []
        self.config: dict[str, str] = {}
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self._tag = tag
        if tag == "script":
            self.loads.append(found["src"]) if "src" in found else self.inline.append("script")
        if tag == "link":
            self.loads.append(found["href"])
        if tag == "style" or "style" in found or any(name.startswith("on") for name in found):
            self.inline.append(tag)
        if found.get("id") == "explorer-config":
            self.config = {k.removeprefix("data-"): v for k, v in found.items() if k.startswith("data-")}

    def handle_data(self, data: str) -> None:
        if self._tag == "script" and data.strip():
            self.inline.append("script text")


def parse(response: func.HttpResponse) -> Markup:
    markup = Markup()
    markup.feed(response.get_body().decode())
    return markup


def test_the_page_loads_only_allowed_files_and_has_nothing_inline(fresh: None) -> None:
    response = get("docs")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = parse(response)
    assert page.inline == []
    files = ("favicon-32x32.png", "swagger-ui.css", "explorer.css", "swagger-ui-bundle.js", "explorer.js")
    assert page.loads == [f"/api/docs/{name}" for name in files]
    assert all(path.removeprefix("/api/docs/") in assets.ASSETS for path in page.loads)
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "connect-src 'self';" in policy, "the development issuer's token endpoint is the app itself"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["request-id"]
    # The initialiser's settings: the document, the OAuth redirect page, the development client.
    assert page.config == {
        "document": "/api/openapi.json",
        "redirect": "/api/docs/oauth2-redirect.html",
        "client-id": DEV_CLIENT_ID,
        "scopes": "User.ReadWrite",
    }


def test_in_a_tenant_the_page_signs_in_with_the_apis_registration_and_may_call_entra(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"api://{TENANT}/profile-api-x"
    monkeypatch.setenv("ENTRA_TENANT_ID", TENANT)
    monkeypatch.setenv("ENTRA_AUDIENCES", f"{uri},{APP_ID}")
    response = get("docs")
    assert parse(response).config["client-id"] == APP_ID
    assert parse(response).config["scopes"] == f"{uri}/User.ReadWrite"
    assert "connect-src 'self' https://login.microsoftonline.com;" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name", sorted(assets.ASSETS))
def test_every_allowed_file_is_served_with_its_type_policy_and_entity_tag(fresh: None, name: str) -> None:
    response = get(f"docs/{name}")
    asset = assets.ASSETS[name]
    assert response.status_code == 200, response.get_body()[:300]
    assert response.headers["Content-Type"] == asset.content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_body()
    if asset.sha256 is not None:
        assert hashlib.sha256(body).hexdigest() == asset.sha256
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and policy.startswith("default-src 'none'")
    if asset.html:  # Swagger UI's OAuth redirect page: it runs its own script file, nothing inline
        assert "script-src 'self'" in policy
        page = parse(response)
        assert page.inline == [] and page.loads == ["oauth2-redirect.js"]
    else:
        assert "script-src" not in policy
    again = get(f"docs/{name}", {"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_body() == b""


@pytest.mark.parametrize(
    "name",
    [
        "index.html",
        "swagger-initializer.js",
        "swagger-ui.js.map",
        "SWAGGER-UI.CSS",
        "..",
        "%2e%2e%2fhost.json",
        "favicon-16x16.png",
        "swagger-ui-standalone-preset.js",
        "index.j2",
    ],
)
def test_any_other_file_is_404_in_graphs_envelope(fresh: None, name: str) -> None:
    response = get(f"docs/{name}")
    assert response.status_code == 404
    assert json.loads(response.get_body())["error"]["code"] == "itemNotFound"


def test_a_swagger_ui_file_that_is_not_the_pinned_one_is_refused(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changed package or a corrupted install is a 500 (logged), never a different script served."""
    folder = tmp_path / "swagger-ui"
    folder.mkdir()
    (folder / "swagger-ui-bundle.js").write_text("alert('not Swagger UI')")
    monkeypatch.setattr(assets, "swagger_ui_folder", lambda: folder)
    response = get("docs/swagger-ui-bundle.js")
    assert response.status_code == 500 and b"alert" not in response.get_body()
    assert get("docs/swagger-ui.css").status_code == 500  # missing from the folder
    assert get("docs/explorer.js").status_code == 200  # the explorer's own files are not Swagger UI's


def test_the_pinned_release_is_the_installed_one() -> None:
    from importlib.metadata import version

    assert version("swagger-ui-bundle-v2") == assets.SWAGGER_UI_VERSION
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert f"swagger-ui-bundle-v2=={assets.SWAGGER_UI_VERSION}" in requirements


def test_the_initialiser_keeps_no_token_and_calls_nothing_elsewhere() -> None:
    script = (assets.OWN_FILES / "explorer.js").read_text(encoding="utf-8")
    assert "persistAuthorization: false" in script and "usePkceWithAuthorizationCodeGrant: true" in script
    assert "validatorUrl: null" in script, "Swagger UI's default validator is an outside service"
    assert not re.search(r"\beval\b|new Function|innerHTML|localStorage|https?://", script)


@pytest.mark.parametrize("tenant", [True, False], ids=["tenant", "development issuer"])
def test_importing_the_app_reads_no_file_of_the_explorer(tenant: bool) -> None:
    """Cold start: the page and its files are read on their first request, Swagger UI located only then; the
    development issuer's sign-in is imported by its first request too."""
    script = (
        "import sys, function_app\n"
        "print(sorted(m for m in ('shared.explorer.assets', 'shared.explorer.page', 'swagger_ui_bundle', "
        "'shared.auth.dev_sign_in', 'shared.auth.sign_in', 'jinja2') if m in sys.modules))"
    )
    env = {"PATH": "/usr/bin:/bin", **({"ENTRA_TENANT_ID": TENANT, "ENTRA_AUDIENCES": "api://x"} if tenant else {})}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_explorer_goes_into_the_deployment_package() -> None:
    """azd packages the folder less what .funcignore names (a name without a slash matches at any depth, as in
    .gitignore): the explorer's own files must not match, and Swagger UI comes from requirements.txt."""
    from fnmatch import fnmatch

    patterns = [
        line.strip().rstrip("/")
        for line in (ROOT / ".funcignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    modules = [Path(explorer.__file__), Path(assets.__file__), *assets.OWN_FILES.iterdir()]
    for path in modules:
        parts = path.resolve().relative_to(ROOT).parts
        assert not [p for p in patterns for part in parts if fnmatch(part, p)], parts
    assert "requirements.txt" not in patterns
