"""The route table's literal index changes nothing: every request resolves as a scan of all routes would."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from devhost.loader import load_app
from devhost.routes import RouteTable
from devhost.wsgi import make_wsgi_app
from shared.routing.templates import Param, RequestPath

ROOT = Path(__file__).resolve().parents[3]
METHODS = ("GET", "HEAD", "POST", "PATCH", "DELETE", "PUT")
VALUES = ("me", "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f", "Adele%40contoso.com")


def scanning(table: RouteTable) -> RouteTable:
    """The same table resolving by trying every route (the behaviour before the index)."""
    reference = RouteTable(table.routes)
    reference._candidates = lambda path: list(reference.routes)  # type: ignore[method-assign]
    return reference


def paths(table: RouteTable) -> list[str]:
    found = {"/", "/api", "/api/", "/API/ME/PROFILE/SKILLS", "/api/me/profile/skills/", "/api/me/profile/nope",
             "/api/users/x/profile/skills/id/extra", "/other/me/profile/skills", "/api/dev-issuer/t/v2.0"}
    for route, value in itertools.product(table.routes, VALUES):
        segments = [value if isinstance(s, Param) else str(s) for s in route.template.segments]
        found.add("/" + "/".join(segments))
        found.add("/" + "/".join(s.upper() for s in segments))
        found.add("/" + "/".join(segments[:-1]))
        found.add("/" + "/".join([*segments, "more"]))
    return sorted(found)


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> RouteTable:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PROFILE_SQLITE_PATH", str(tmp_path_factory.mktemp("store") / "profiles.sqlite3"))
        return make_wsgi_app(load_app(ROOT), "api").table


def test_every_path_and_method_resolves_as_a_full_scan(table: RouteTable):
    reference = scanning(table)
    checked = 0
    for path, method in itertools.product(paths(table), METHODS):
        assert table.resolve(method, path) == reference.resolve(method, path), (method, path)
        checked += 1
    assert checked > 3000


def test_a_request_tries_only_the_routes_holding_its_literals(table: RouteTable):
    candidates = table._candidates(RequestPath.parse("/api/users/x/profile/websites"))
    assert 0 < len(candidates) < 10 < len(table.routes)
