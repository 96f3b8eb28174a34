"""End-to-end fixtures: the local host as a subprocess, real HTTP, real tokens, a real store."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.support.localhost import PROJECT_ROOT, LocalHost


@dataclass
class Api:
    """A running local host plus a session that speaks to it."""

    host: LocalHost
    store: str

    @property
    def url(self) -> str:
        return self.host.url

    def request(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers.setdefault("Authorization", f"Bearer {token}")
        if "json" in kwargs:
            import json as _json

            kwargs["data"] = _json.dumps(kwargs.pop("json"))
            headers.setdefault("Content-Type", "application/json")
        return requests.request(method, f"{self.url}/{path}", headers=headers, timeout=30, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def store_env(store: str, tmp_path: Any, request: pytest.FixtureRequest) -> dict[str, str]:
    """Environment selecting the store under test (the Cosmos server fixture only when asked)."""
    if store == "sqlite":
        return {"PROFILE_STORE": "sqlite", "PROFILE_SQLITE_PATH": str(tmp_path / "profiles.sqlite3")}
    cosmos = request.getfixturevalue("cosmos_settings")
    return {
        "PROFILE_STORE": "cosmos",
        "COSMOS_ENDPOINT": cosmos.cosmos_endpoint,
        "COSMOS_KEY": cosmos.cosmos_key,
        "COSMOS_DATABASE": cosmos.cosmos_database,
        "COSMOS_CONTAINER": cosmos.cosmos_container,
    }


@pytest.fixture(params=["sqlite", "cosmos"])
def api(request: pytest.FixtureRequest, identity: Any, tmp_path: Any, local_host_factory: Any) -> Iterator[Api]:
    """The API on a test tenant, once per store."""
    env = {
        "ENTRA_TENANT_ID": identity.tenant_id,
        "ENTRA_AUDIENCES": ",".join(identity.audiences),
        "ENTRA_AUTHORITY": identity.server.base_url,
        **store_env(request.param, tmp_path, request),
    }
    yield Api(local_host_factory(env), request.param)


@pytest.fixture
def sqlite_api(identity: Any, tmp_path: Any, local_host_factory: Any) -> Iterator[Api]:
    """The API on the embedded store only (restart tests)."""
    env = {
        "ENTRA_TENANT_ID": identity.tenant_id,
        "ENTRA_AUDIENCES": ",".join(identity.audiences),
        "ENTRA_AUTHORITY": identity.server.base_url,
        **store_env("sqlite", tmp_path, None),  # type: ignore[arg-type]
    }
    yield Api(local_host_factory(env), "sqlite")


@pytest.fixture
def dev_api(tmp_path: Any) -> Iterator[Api]:
    """The API as `make run` starts it: no tenant, so the development issuer (on a known port)."""
    port = free_port()
    env = {"PORT": str(port), "PROFILE_SQLITE_PATH": str(tmp_path / "dev.sqlite3")}
    host = LocalHost({**env, "ENTRA_TENANT_ID": "", "ENTRA_AUDIENCES": "", "ENTRA_AUTHORITY": ""}, PROJECT_ROOT).start(port)
    try:
        yield Api(host, "sqlite")
    finally:
        host.stop()
