"""End-to-end fixtures: the local host as a subprocess, real HTTP, real tokens, a real store."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.cosmos_server import CosmosServer, create_database, drop_database, settings_for
from tests.support.identity import Identity, IdentityServer
from tests.support.localhost import PROJECT_ROOT, LocalHost, start_local_host

STORES = ["sqlite", pytest.param("cosmos", marks=pytest.mark.cosmos)]


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


@dataclass(frozen=True)
class User:
    """A user of the test tenant that no other test uses (a fresh object id and UPN), with a token."""

    oid: str
    upn: str
    name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_user(identity: Identity, scopes: str = "User.ReadWrite", **claims: Any) -> User:
    """A fresh delegated user of `identity`'s tenant with `scopes`, so tests can share one host."""
    oid = str(uuid.uuid4())
    upn = f"user-{oid[:8]}@contoso.test"
    name = f"User {oid[:8]}"
    token = identity.mint(oid=oid, sub=f"pairwise-{oid}", preferred_username=upn, name=name, scp=scopes, **claims)
    return User(oid, upn, name, token)


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


@pytest.fixture(params=STORES)
def api(request: pytest.FixtureRequest, identity: Any, tmp_path: Any, local_host_factory: Any) -> Iterator[Api]:
    """The API on a test tenant, once per store."""
    env = {
        "ENTRA_TENANT_ID": identity.tenant_id,
        "ENTRA_AUDIENCES": ",".join(identity.audiences),
        "ENTRA_AUTHORITY": identity.server.base_url,
        **store_env(request.param, tmp_path, request),
    }
    yield Api(local_host_factory(env), request.param)


@pytest.fixture(scope="module")
def module_identity(rsa_key: rsa.RSAPrivateKey) -> Iterator[Identity]:
    """A test tenant whose local issuer lives as long as the module's hosts."""
    server = IdentityServer().start()
    try:
        yield Identity(server=server, key=rsa_key)
    finally:
        server.stop()


@contextmanager
def store_host(
    request: pytest.FixtureRequest,
    identity: Identity,
    store: str,
    folder: Path,
    settings_env: dict[str, str] | None = None,
) -> Iterator[LocalHost]:
    """A local host trusting `identity`'s tenant on `store` ("sqlite": a file in `folder`; "cosmos": a fresh
    database on the Cosmos test server, dropped afterwards), stopped on exit; `settings_env`: more settings."""
    env = {
        "ENTRA_TENANT_ID": identity.tenant_id,
        "ENTRA_AUDIENCES": ",".join(identity.audiences),
        "ENTRA_AUTHORITY": identity.server.base_url,
        "DIRECTORY": "local",
        **(settings_env or {}),
    }
    settings = None
    if store == "sqlite":
        env |= {"PROFILE_STORE": "sqlite", "PROFILE_SQLITE_PATH": str(folder / "profiles.sqlite3")}
    else:
        server: CosmosServer = request.getfixturevalue("cosmos_server")  # skips, or fails with CI=true
        settings = settings_for(server)
        create_database(settings)
        env |= {
            "PROFILE_STORE": "cosmos",
            "COSMOS_ENDPOINT": settings.cosmos_endpoint or "",
            "COSMOS_KEY": settings.cosmos_key or "",
            "COSMOS_DATABASE": settings.cosmos_database,
            "COSMOS_CONTAINER": settings.cosmos_container,
        }
    host = start_local_host(env)
    try:
        yield host
    finally:
        host.stop()
        if settings is not None:
            drop_database(settings)


@pytest.fixture(scope="module", params=STORES)
def module_api(
    request: pytest.FixtureRequest, module_identity: Identity, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """One local host per store, shared by a module's tests (each test uses its own users: `new_user`)."""
    store: str = request.param
    with store_host(request, module_identity, store, tmp_path_factory.mktemp("e2e")) as host:
        yield Api(host, store)


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
    no_tenant = {"ENTRA_TENANT_ID": "", "ENTRA_AUDIENCES": "", "ENTRA_AUTHORITY": ""}
    host = LocalHost({**env, **no_tenant}, PROJECT_ROOT).start(port)
    try:
        yield Api(host, "sqlite")
    finally:
        host.stop()
