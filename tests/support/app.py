"""Pytest plugin: the function app configured for a test tenant, called with built HttpRequests.

Fixtures:
- `app_env`: environment for the app (test tenant of the `identity` fixture, a fresh SQLite file);
  resets the composition root before and after.
- `invoke`: `invoke(function, method, path, token=..., body=..., headers=..., route_params=..., params=...)`
  calls one function object from `functions/` the way the worker does and returns the HttpResponse.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import azure.functions as func
import pytest

from shared import composition

BASE = "http://127.0.0.1:7071/api/"


@pytest.fixture
def app_env(identity: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Point the app at the test tenant and a new SQLite file."""
    env = {
        "ENTRA_TENANT_ID": identity.tenant_id,
        "ENTRA_AUDIENCES": ",".join(identity.audiences),
        "ENTRA_AUTHORITY": identity.server.base_url,
        "PROFILE_STORE": "sqlite",
        "PROFILE_SQLITE_PATH": str(tmp_path / "profiles.sqlite3"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    composition.reset()
    yield env
    composition.reset()


def build_request(
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: bytes | str | dict | None = None,
    headers: dict[str, str] | None = None,
    route_params: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> func.HttpRequest:
    """A func.HttpRequest as the host would build it (JSON bodies get a JSON content type)."""
    all_headers = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body)
        all_headers.setdefault("Content-Type", "application/json")
    if isinstance(body, str):
        body = body.encode()
    if token is not None:
        all_headers.setdefault("Authorization", f"Bearer {token}")
    return func.HttpRequest(
        method=method,
        url=BASE + path,
        headers=all_headers,
        params=params or {},
        route_params=route_params or {},
        body=body or b"",
    )


@pytest.fixture
def invoke(app_env: dict[str, str]) -> Callable[..., func.HttpResponse]:
    """Call a function object (a decorated function from functions/) with a built request."""

    def _invoke(function: Any, method: str, path: str, **kwargs: Any) -> func.HttpResponse:
        return function(build_request(method, path, **kwargs))

    return _invoke


def body_of(response: func.HttpResponse) -> Any:
    """The JSON body of a response."""
    return json.loads(response.get_body())
