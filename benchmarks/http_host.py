"""The local host as a benchmark subject: spawn `python -m devhost`, time it to its first answer, talk to it.

- `Environment`: a temporary SQLite file, a bytecode cache (PYTHONPYCACHEPREFIX, written once and
  then reused, as a deployed app has one: this environment sets PYTHONDONTWRITEBYTECODE), the
  development issuer, and none of the developer's own settings. `tokens(n)` mints delegated tokens
  for n distinct users (`make token`'s issuer and key folder).
- `Host`: one `python -m devhost` process for the project (ROOT) or the bare app (BARE_ROOT).
  `time_to_first(...)` spawns it and returns the seconds from spawn to the first response with the
  expected status (connecting until the port is bound, then one request); `rss_mb()` reads its RSS.
- `Client`: one keep-alive connection (http.client), `call()` returns (status, body, seconds).
Everything stays on 127.0.0.1 and every loop is bounded in count and time.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
BARE_ROOT = Path(__file__).resolve().parent / "bare_app"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: The typical create: the seed's account facet (a country code and a language tag to check).
ACCOUNT_BODY = json.dumps(
    {
        "allowedAudiences": "organization",
        "countryCode": "no",
        "preferredLanguageTag": {"locale": "nb-NO", "displayName": "Norsk bokmål"},
    }
).encode()
SKILL_BODY = json.dumps(
    {
        "allowedAudiences": "organization",
        "displayName": "Distributed systems",
        "proficiency": "expert",
        "categories": ["engineering"],
        "webUrl": "https://learn.contoso.com/skills/distributed-systems",
    }
).encode()
BARE_PATH = "/api/bare"
START_TIMEOUT_S = 30.0


def free_port() -> int:
    """A loopback port free right now (the host binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Environment:
    """What every spawned interpreter runs with; `close()` removes the temporary folder."""

    def __init__(self) -> None:
        from shared.settings import SETTING_NAMES

        self._folder = tempfile.TemporaryDirectory(prefix="profile-bench-")
        self.folder = Path(self._folder.name)
        self.pycache = self.folder / "pycache"
        dropped = {*SETTING_NAMES, "WEBSITE_INSTANCE_ID", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH"}
        self.env = {name: value for name, value in os.environ.items() if name not in dropped}
        self.env.update(
            PROFILE_STORE="sqlite",
            PROFILE_SQLITE_PATH=str(self.folder / "profiles.sqlite3"),
            MAX_FACETS_PER_USER="10000",
            DIRECTORY="local",
            PYTHONPYCACHEPREFIX=str(self.pycache),
        )
        self._settings: Any = None

    def settings(self) -> Any:
        if self._settings is None:
            from shared.settings import load_settings

            self._settings = load_settings(self.env)
        return self._settings

    def tokens(self, count: int, prefix: str = "bench") -> list[str]:
        """Delegated User.ReadWrite tokens for `count` distinct users of the development issuer."""
        from shared.auth.dev_issuer import mint_token

        return [
            mint_token(
                self.settings(),
                user=f"{prefix}.user{n}@contoso.dev",
                scopes=["User.ReadWrite"],
                roles=[],
                name=None,
                lifetime_s=7200,
            )
            for n in range(count)
        ]

    def python(self, code: str, cwd: Path) -> str:
        """Run `python -c code` in a fresh interpreter with this environment; its stdout."""
        return subprocess.run(
            [sys.executable, "-c", code], cwd=cwd, env=self.env, capture_output=True, text=True, check=True, timeout=120
        ).stdout

    def close(self) -> None:
        self._folder.cleanup()


class EntraLike:
    """A local OpenID issuer (tests/support/identity.py) that hosts can trust instead of the development
    issuer, as an Azure deployment trusts Entra ID: no request of the host calls the host itself."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        from tests.support.identity import Identity, IdentityServer

        self.server = IdentityServer().start()
        self.identity = Identity(server=self.server, key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
        self.env = {
            "ENTRA_TENANT_ID": self.identity.tenant_id,
            "ENTRA_AUDIENCES": ",".join(self.identity.audiences),
            "ENTRA_AUTHORITY": self.server.base_url,
        }

    def tokens(self, count: int) -> list[str]:
        """Delegated User.ReadWrite tokens for `count` distinct users."""
        import uuid

        return [
            self.identity.mint(
                oid=str(uuid.uuid4()), preferred_username=f"sweep{n}@contoso.test", exp=int(time.time()) + 7200
            )
            for n in range(count)
        ]

    def close(self) -> None:
        self.server.stop()


def auth(token: str, content: bool = True) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if content:
        headers["Content-Type"] = "application/json"
    return headers


class Host:
    """One `python -m devhost` process on a port of its own."""

    def __init__(
        self, environment: Environment, root: Path = ROOT, threads: int = 8, extra_env: dict[str, str] | None = None
    ) -> None:
        self.environment = environment
        self.env = {**environment.env, **(extra_env or {})}
        self.root = root
        self.threads = threads
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def spawn(self) -> None:
        self.port = free_port()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devhost",
                "--port",
                str(self.port),
                "--root",
                str(self.root),
                "--threads",
                str(self.threads),
                "--no-local-settings",
            ],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )

    def time_to_first(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str], expected: int
    ) -> float:
        """Spawn, then seconds until a response with status `expected` (connect retried until bound)."""
        started = time.perf_counter()
        self.spawn()
        deadline = started + START_TIMEOUT_S
        while time.perf_counter() < deadline:
            client = Client(self.port)
            try:
                status, _, _ = client.call(method, path, body, headers)
            except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
                self._check_alive()
                time.sleep(0.001)
                continue
            finally:
                client.close()
            if status == expected:
                return time.perf_counter() - started
            if status != 503:  # 503: still loading
                raise RuntimeError(f"{method} {path} answered {status}, not {expected}.\n{self.output()}")
        raise RuntimeError(f"no {expected} within {START_TIMEOUT_S:.0f} s.\n{self.output()}")

    def start(self) -> Host:
        """Spawn and wait until it answers (any status)."""
        self.time_to_first("GET", "/api/", None, {}, 404)
        return self

    def _check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"devhost exited with {self.process.returncode}.\n{self.output()}")

    def rss_mb(self) -> float:
        """Resident set size of the process now, in MB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def output(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-4000:]

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self.process = None


class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()
