"""Pytest plugin: the Cosmos-protocol test server (@vercel/cosmosdb-server, Node) on 127.0.0.1.

- `CosmosServer(port=0)`: `start()`, `stop()`, `restart()` (same port; the server keeps data in
  memory, so a restarted server is EMPTY), `endpoint`, `key`, `output()`. It runs with HTTP
  keep-alive (cosmos_server.js beside this file), as the service does: clients reuse connections.
- fixture `cosmos_server` (session): one server for the run (with pytest-xdist: one per worker).
- fixture `cosmos_server_factory`: private servers (fault tests stop/restart them); stopped at teardown.
- fixture `cosmos_settings`: a fresh database + container (unique names, created from
  cosmos_container.json) on the session server, as `Settings`; the database is dropped afterwards.
  For tests that count or scan what the whole container holds, need it empty, or race the first
  write of something deployment-wide (a secret).
- fixture `cosmos_shared_settings` (session): ONE database + container for the run (per xdist
  worker), for tests that write only under ids of their own (a fresh tenant or object id per test)
  and so never see each other's data. Nothing is created or dropped per test. The test server
  answers a query by scanning the whole container, so its queries grow a little slower as the run
  adds documents; that is all the sharing costs.
- `create_database(settings)`: (re)create that database/container, e.g. after a restart.
- Starting a server installs its request adjustments (tests/support/cosmos_quirks.py) for every
  Cosmos client the process creates from then on: the production adapter carries none.
- Every server a process starts presents that process's certificate (tests/support/cosmos_tls.py), which
  its clients verify.

With `CI=true`, a server that cannot start (node or node_modules missing) FAILS the test; elsewhere
the test is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

import pytest

from shared.settings import Settings
from tests.support import cosmos_quirks
from tests.support.cosmos_tls import certificate, verifying

if TYPE_CHECKING:
    from azure.cosmos import CosmosClient

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CLI = PROJECT_ROOT / "node_modules" / "@vercel" / "cosmosdb-server" / "lib" / "cli.js"
#: How the tests start it: that server with HTTP keep-alive (its own CLI closes every connection).
LAUNCHER = Path(__file__).resolve().with_name("cosmos_server.js")
#: Any base64 string: the test server does not check signatures (the SDK insists on base64).
DUMMY_KEY = "dGVzdC1zZXJ2ZXItZHVtbXkta2V5LW5vdC1hLXNlY3JldA=="
START_TIMEOUT = 20.0


def unavailable(reason: str) -> NoReturn:
    """Fail under CI=true, skip elsewhere."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"Cosmos test server unavailable: {reason}", pytrace=False)
    pytest.skip(f"Cosmos test server unavailable: {reason} (run `npm ci`)")


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CosmosServer:
    """One `node tests/support/cosmos_server.js --host 127.0.0.1 --port N` process (HTTPS, with this process's
    certificate)."""

    def __init__(self, port: int = 0) -> None:
        self.port = port or free_port()
        self.key = DUMMY_KEY
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"https://127.0.0.1:{self.port}/"

    def start(self) -> CosmosServer:
        """Start on `self.port` and wait until it answers HTTPS; RuntimeError if it does not."""
        node = shutil.which("node")
        if node is None or not CLI.exists():
            raise FileNotFoundError(f"node or {CLI} is missing")
        tls = certificate()
        cosmos_quirks.install(tls.cert)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  # the server's output, read by output() while it runs
        args = [node, str(LAUNCHER), "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*args, "--cert", str(tls.cert), "--key", str(tls.key)],
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self._answers():
                return self
            time.sleep(0.1)
        output = self.output()
        self.stop()
        raise RuntimeError(f"cosmosdb-server did not answer on port {self.port}:\n{output}")

    def _answers(self) -> bool:
        context = ssl.create_default_context(cafile=certificate().cert)
        try:
            urllib.request.urlopen(self.endpoint, context=context, timeout=1).close()  # noqa: S310  # our https loopback URL
            return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer means it is serving
        except (OSError, ssl.SSLError):
            return False

    def stop(self) -> None:
        """Stop the process (terminate, then kill) and wait for it."""
        _close_admin_client(self.endpoint)
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def restart(self) -> CosmosServer:
        """Stop and start again on the same port. The data is gone (in-memory server)."""
        self.stop()
        return self.start()

    def output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-4000:]


def start_server(port: int = 0) -> CosmosServer:
    """A started server, or skip/fail (see `unavailable`)."""
    try:
        return CosmosServer(port).start()
    except (FileNotFoundError, RuntimeError, OSError) as error:
        unavailable(str(error))


def settings_for(server: CosmosServer, database: str | None = None) -> Settings:
    """Settings naming a unique database/container on `server` (key auth, as for the emulator)."""
    name = database or f"db-{uuid.uuid4().hex[:12]}"
    return Settings(
        profile_store="cosmos",
        cosmos_endpoint=server.endpoint,
        cosmos_key=server.key,
        cosmos_database=name,
        cosmos_container="profiles",
    )


def _endpoint_and_key(settings: Settings) -> tuple[str, str]:
    assert settings.cosmos_endpoint and settings.cosmos_key, "test-server settings name an endpoint and a key"
    return settings.cosmos_endpoint, settings.cosmos_key


#: One client per server for creating and dropping databases (a new client costs a connection and the
#: account read); a server's client is closed when it stops, so a restarted server gets a new one.
_ADMIN_CLIENTS: dict[str, CosmosClient] = {}


def _admin_client(settings: Settings) -> CosmosClient:
    """The cached client for the server `settings` name (created on first use; nothing cached on failure)."""
    from azure.cosmos import CosmosClient

    endpoint, key = _endpoint_and_key(settings)
    client = _ADMIN_CLIENTS.get(endpoint)
    if client is None:
        client = _ADMIN_CLIENTS[endpoint] = CosmosClient(endpoint, key, timeout=10, **verifying(certificate().cert))
    return client


def _close_admin_client(endpoint: str) -> None:
    client = _ADMIN_CLIENTS.pop(endpoint, None)
    if client is not None:
        with contextlib.suppress(Exception):
            client.close()


def create_database(settings: Settings) -> None:
    """Create the database and the container (cosmos_container.json) that `settings` name."""
    from shared.repository.cosmos.connection import create_container

    database = _admin_client(settings).create_database_if_not_exists(settings.cosmos_database)
    create_container(database, settings.cosmos_container)


def drop_database(settings: Settings) -> None:
    """Best-effort removal of the database (keeps the in-memory server small)."""
    with contextlib.suppress(Exception):
        _admin_client(settings).delete_database(settings.cosmos_database)


@pytest.fixture(scope="session")
def cosmos_server() -> Iterator[CosmosServer]:
    """The session's test server."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cosmos_server_factory() -> Iterator[Callable[[], CosmosServer]]:
    """Start private servers (for tests that stop or restart them); all stopped at teardown."""
    servers: list[CosmosServer] = []

    def factory() -> CosmosServer:
        servers.append(start_server())
        return servers[-1]

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def cosmos_settings(cosmos_server: CosmosServer) -> Iterator[Settings]:
    """A fresh database/container on the session server, dropped after the test."""
    settings = settings_for(cosmos_server)
    create_database(settings)
    yield settings
    drop_database(settings)


@pytest.fixture(scope="session")
def cosmos_shared_settings(cosmos_server: CosmosServer) -> Iterator[Settings]:
    """The run's one database/container on the session server, shared by every test that writes only under
    ids of its own; dropped at the end of the run."""
    settings = settings_for(cosmos_server)
    create_database(settings)
    yield settings
    drop_database(settings)
