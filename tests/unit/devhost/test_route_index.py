"""The router's literal index changes nothing: every request resolves as a scan of all functions would."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from devhost.loader import load_app
from devhost.wsgi import make_wsgi_app
from shared.routing.router import Router
from shared.routing.templates import Param, RequestPath

ROOT = Path(__file__).resolve().parents[3]
METHODS = ("GET", "HEAD", "POST", "PATCH", "DELETE", "PUT")
VALUES = ("me", "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f", "Adele%40contoso.com", "delta")


def scanning(router: Router) -> Router:
    """The same router resolving by trying every function in order (the behaviour without the index)."""
    reference = Router(router.entries)
    reference.candidates = lambda path: list(reference.entries)  # type: ignore[method-assign]
    return reference


def paths(router: Router) -> list[str]:
    found = {
        "/",
        "/api",
        "/api/",
        "/API/ME/PROFILE/SKILLS",
        "/api/me/profile/skills/",
        "/api/me/profile/nope",
        "/api/users/x/profile/skills/id/extra",
        "/other/me/profile/skills",
        "/api/dev-issuer/t/v2.0",
    }
    for entry, value in itertools.product(router.entries, VALUES):
        segments = [value if isinstance(s, Param) else str(s) for s in entry.template.segments]
        found.add("/" + "/".join(segments))
        found.add("/" + "/".join(s.upper() for s in segments))
        found.add("/" + "/".join(segments[:-1]))
        found.add("/" + "/".join([*segments, "more"]))
    return sorted(found)


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> Router:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PROFILE_SQLITE_PATH", str(tmp_path_factory.mktemp("store") / "profiles.sqlite3"))
        return make_wsgi_app(load_app(ROOT), "api").router


def test_every_path_and_method_resolves_as_a_full_scan(router: Router) -> None:
    reference = scanning(router)
    checked = 0
    for path, method in itertools.product(paths(router), METHODS):
        found, expected = router.resolve(method, path), reference.resolve(method, path)
        assert (found and (found.entry.name, found.values)) == (expected and (expected.entry.name, expected.values))
        checked += 1
    assert checked > 3000


def test_a_request_tries_only_the_functions_holding_its_literals(router: Router) -> None:
    candidates = router.candidates(RequestPath.parse("/api/users/x/profile/websites"))
    assert 0 < len(candidates) < 10 < len(router.entries)
