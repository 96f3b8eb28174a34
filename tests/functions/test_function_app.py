"""The function app as the Functions worker indexes it: one function per method and route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TENANT = "3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c"

#: Graph beta's profile collections (contract §1), spelled as Graph spells them.
COLLECTIONS = (
    "account",
    "addresses",
    "anniversaries",
    "awards",
    "certifications",
    "educationalActivities",
    "emails",
    "interests",
    "languages",
    "names",
    "notes",
    "patents",
    "phones",
    "positions",
    "projects",
    "publications",
    "responsibilities",
    "skills",
    "webAccounts",
    "websites",
)
PROFILE_ROUTES = {
    ("POST", "me/profile"),
    ("POST", "users/{user}/profile"),
    ("GET", "me/profile"),
    ("GET", "users/{user}/profile"),
    ("DELETE", "me/profile"),
    ("DELETE", "users/{user}/profile"),
}
FACET_ROUTES = {
    (method, f"{prefix}/{collection}{suffix}")
    for collection in COLLECTIONS
    for prefix in ("me/profile", "users/{user}/profile")
    for method, suffix in (("POST", ""), ("GET", ""), ("GET", "/{id}"), ("PATCH", "/{id}"), ("DELETE", "/{id}"))
}
#: Delta query (contract §12): per user, and tenant-wide per collection and over every collection.
DELTA_ROUTES = {
    ("GET", f"{prefix}/{collection}/delta")
    for collection in COLLECTIONS
    for prefix in ("me/profile", "users/{user}/profile", "users/profile")
} | {("GET", "users/profile/delta")}
PRODUCT_ROUTES = PROFILE_ROUTES | FACET_ROUTES | DELTA_ROUTES | {("GET", "openapi.json"), ("POST", "$batch")}
#: The API explorer (Swagger UI): its page and its files, in Azure as well as locally.
EXPLORER_ROUTES = {("GET", "docs"), ("GET", "docs/{asset}")}


_INDEX = """
import json, function_app
out = []
for fn in function_app.app.get_functions():
    t = fn.get_trigger()
    out.append({"name": fn.get_function_name(), "route": t.route,
                "methods": [str(getattr(m, "value", m)) for m in (t.methods or [])],
                "auth": str(getattr(t.auth_level, "name", t.auth_level)), "http": fn.is_http_function()})
print(json.dumps(out))
"""


def index_functions(*, catch_all: bool = False, **env: str) -> list[dict]:
    """Import function_app in a fresh interpreter, as the worker does, and list its functions.

    The catch-all (functions/fallback.py, route `{*path}`, every method) is left out unless asked for.
    """
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ENTRA_", "PROFILE_", "COSMOS_", "WEBSITE_"))}
    result = subprocess.run(
        [sys.executable, "-c", _INDEX],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    from functions.fallback import FUNCTION_NAME

    return [fn for fn in json.loads(result.stdout) if catch_all or fn["name"] != FUNCTION_NAME]


@pytest.fixture(scope="module")
def tenant_functions() -> list[dict]:
    return index_functions(ENTRA_TENANT_ID=TENANT, ENTRA_AUDIENCES="api://x")


def test_every_route_is_its_own_anonymous_http_function(tenant_functions: list[dict]) -> None:
    seen = set()
    for fn in tenant_functions:
        assert fn["http"] and fn["auth"] == "ANONYMOUS", fn
        assert len(fn["methods"]) == 1, fn
        seen.add((fn["methods"][0], fn["route"]))
    assert seen == PRODUCT_ROUTES | EXPLORER_ROUTES
    assert len({fn["name"] for fn in tenant_functions}) == len(tenant_functions)


def test_development_issuer_is_published_only_without_a_tenant(tenant_functions: list[dict]) -> None:
    dev = index_functions()
    extra = {fn["route"] for fn in dev} - {route for _, route in PRODUCT_ROUTES | EXPLORER_ROUTES}
    assert extra and all(route.startswith("dev-issuer/") for route in extra)
    assert not any(fn["route"].startswith("dev-issuer") for fn in tenant_functions)


@pytest.mark.parametrize(
    "env, named",
    [
        ({"PROFILE_STORE": "mongo"}, "PROFILE_STORE"),
        ({"WEBSITE_INSTANCE_ID": "abc"}, "ENTRA_TENANT_ID"),  # the development issuer refuses to run in Azure
        ({"ENTRA_TENANT_ID": "not-a-guid"}, "ENTRA_TENANT_ID"),
        ({"MAX_BODY_BYTES": "²"}, "MAX_BODY_BYTES"),
        ({"COSMOS_KEY": "local"}, "COSMOS_KEY"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(env: dict, named: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ENTRA_", "PROFILE_", "WEBSITE_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import function_app"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and named in result.stderr


def test_importing_the_app_creates_no_client() -> None:
    """Indexing must not open the store: an unreachable Cosmos endpoint still indexes fine."""
    functions = index_functions(
        ENTRA_TENANT_ID="3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c",
        ENTRA_AUDIENCES="api://x",
        PROFILE_STORE="cosmos",
        COSMOS_ENDPOINT="https://127.0.0.1:1/",
        PROFILE_SQLITE_PATH="/nonexistent/dir/x.db",
    )
    assert len(functions) == len(PRODUCT_ROUTES | EXPLORER_ROUTES)


def test_ten_generated_functions_per_collection_6_profile_functions_and_the_others(
    tenant_functions: list[dict],
) -> None:
    from functions.fallback import FUNCTION_NAME
    from tests.functions.helpers import TABLE

    assert len(FACET_ROUTES) == 10 * len(COLLECTIONS) and len(PROFILE_ROUTES) == 6
    facet = [fn for fn in tenant_functions if (fn["methods"][0], fn["route"]) in FACET_ROUTES]
    generated = {row.name for row in TABLE if row.facet_type is not None and not row.action.startswith("delta")}
    assert len(facet) == len(FACET_ROUTES) and {fn["name"] for fn in facet} == generated
    assert len([fn for fn in tenant_functions if (fn["methods"][0], fn["route"]) in PROFILE_ROUTES]) == 6
    assert len([fn for fn in tenant_functions if (fn["methods"][0], fn["route"]) in DELTA_ROUTES]) == len(DELTA_ROUTES)
    # the document, $batch
    assert len(tenant_functions) == len(FACET_ROUTES) + 6 + 2 + len(EXPLORER_ROUTES) + len(DELTA_ROUTES)
    assert [
        fn["route"]
        for fn in index_functions(catch_all=True, ENTRA_TENANT_ID=TENANT, ENTRA_AUDIENCES="api://x")
        if fn["name"] == FUNCTION_NAME
    ] == ["{*path}"]


def test_generated_function_names_say_collection_operation_and_target(tenant_functions: list[dict]) -> None:
    routes = {fn["name"]: (fn["methods"][0], fn["route"]) for fn in tenant_functions}
    operations = {
        "create": ("POST", ""),
        "list": ("GET", ""),
        "get": ("GET", "/{id}"),
        "update": ("PATCH", "/{id}"),
        "delete": ("DELETE", "/{id}"),
    }
    for collection in COLLECTIONS:
        for operation, (method, suffix) in operations.items():
            assert routes[f"{collection}_{operation}_me"] == (method, f"me/profile/{collection}{suffix}")
            assert routes[f"{collection}_{operation}_user"] == (method, f"users/{{user}}/profile/{collection}{suffix}")
        assert routes[f"{collection}_delta_me"] == ("GET", f"me/profile/{collection}/delta")
        assert routes[f"{collection}_delta_user"] == ("GET", f"users/{{user}}/profile/{collection}/delta")
        assert routes[f"{collection}_delta_users"] == ("GET", f"users/profile/{collection}/delta")
    assert routes["profile_delta_users"] == ("GET", "users/profile/delta")


def test_indexing_imports_no_handler_module() -> None:
    """Cold start: the worker imports function_app to index it; the handlers, services, ports and the HTTP
    edge are imported by the first request that needs them (functions/routes.py, Handler)."""
    script = (
        "import sys, function_app\n"
        "print(sorted(m for m in sys.modules if m.startswith(('shared.services', 'shared.web', 'shared.repository',"
        " 'shared.query', 'shared.auth', 'functions.facets', 'functions.profile', 'functions.delta'))))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ENTRA_", "PROFILE_", "COSMOS_", "WEBSITE_"))}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "ENTRA_TENANT_ID": TENANT, "ENTRA_AUDIENCES": "api://x"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
