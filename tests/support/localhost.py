"""Pytest plugin: start the local host (`python -m devhost --port 0`) as a subprocess.

- `start_local_host(env, cwd=PROJECT_ROOT, local_settings=False)` -> `LocalHost` with `url`
  (`http://127.0.0.1:<port>/api`), `process`, `stop()`, `restart()` (same env, same cwd, same port, so data
  files and issued tokens survive), `output()` (what the process wrote to stderr, for diagnostics) and
  `stdout` (what it printed up to its readiness line: the settings, store and issuer it uses).
- Tests define the environment themselves: a developer's `local.settings.json` is not read
  (`--no-local-settings`) unless `local_settings=True`.
- A host whose environment names a loopback Cosmos endpoint (the test server) runs as
  `python -m tests.support.cosmos_quirks`: the same local host, with the test server's request
  adjustments installed (the production adapter carries none), verifying the certificate of this
  process's test servers (tests/support/cosmos_tls.py).
- fixture `local_host_factory`: the same callable; every host it started is stopped at teardown.
- While the tests measure coverage (`make test`), every host measures its own
  (tests/support/coverage.py).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import pytest

from shared.settings import is_loopback_host
from tests.support.cosmos_tls import CA_VARIABLE, certificate
from tests.support.coverage import PROJECT_ROOT, measured

READY = re.compile(r"listening on (http://127\.0\.0\.1:(\d+)\S*)")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class LocalHost:
    """A running `python -m devhost` subprocess."""

    def __init__(
        self,
        env: Mapping[str, str],
        cwd: Path,
        timeout: float = START_TIMEOUT,
        local_settings: bool = False,
        extra_args: Sequence[str] = (),
        inherit_env: bool = True,
    ) -> None:
        self.env = {**os.environ, **env} if inherit_env else dict(env)
        self.cwd = Path(cwd)
        self.timeout = timeout
        self.local_settings = local_settings
        self.extra_args = tuple(extra_args)
        self.stdout = ""  # what the process printed up to its readiness line
        self.url = ""
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._stdout: IO[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._log = ""  # stderr of processes already stopped

    def start(self, port: int = 0) -> LocalHost:
        """Start the process on `port` (0: a free one) and wait for its readiness line."""
        # Files, not pipes: a full, undrained pipe would block the server's request logging.
        # They live until stop() closes them, so no `with` block can own them.
        self._stdout = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        env = {**self.env, "PYTHONUNBUFFERED": "1"}
        if self.module != "devhost":  # its Cosmos clients verify the test server's certificate
            env.setdefault(CA_VARIABLE, str(certificate().cert))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        args = [*measured(self.module), "--port", str(port), *self.extra_args]
        if not self.local_settings:
            args.append("--no-local-settings")
        self.process = subprocess.Popen(
            args,
            cwd=self.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._stdout,
            stderr=self._stderr,
        )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            self.stdout = self._read(self._stdout)
            found = READY.search(self.stdout)
            if found:
                self.url, self.port = found[1], int(found[2])
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        code = self.process.poll()
        stdout = self._read(self._stdout)
        self.stop()
        raise RuntimeError(
            f"devhost did not become ready within {self.timeout:.0f} s (exit code {code}).\n"
            f"stdout:\n{stdout}\nstderr:\n{self.output()}"
        )

    @property
    def module(self) -> str:
        """`devhost`, or the same host with the Cosmos test server's adjustments for a loopback endpoint."""
        endpoint = self.env.get("COSMOS_ENDPOINT") or ""
        if self.env.get("PROFILE_STORE") == "cosmos" and is_loopback_host(urlsplit(endpoint).hostname):
            return "tests.support.cosmos_quirks"
        return "devhost"

    @staticmethod
    def _read(stream: IO[bytes] | None) -> str:
        """Everything written to a capture file so far."""
        if stream is None:
            return ""
        stream.seek(0)
        return stream.read().decode("utf-8", "replace")

    def output(self) -> str:
        """Everything the process (and its predecessors, across restarts) wrote to stderr."""
        return self._log + self._read(self._stderr)

    def stop(self) -> None:
        """SIGTERM, then kill after a grace period; keeps the stderr text; idempotent."""
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT)
        self._log += self._read(self._stderr)
        for stream in (self._stdout, self._stderr):
            if stream is not None:
                stream.close()
        self._stdout = self._stderr = None

    def restart(self) -> LocalHost:
        """Stop and start again with the same environment, working folder and port."""
        port = self.port
        self.stop()
        return self.start(port)


def start_local_host(
    env: Mapping[str, str] | None = None,
    cwd: Path | str = PROJECT_ROOT,
    timeout: float = START_TIMEOUT,
    local_settings: bool = False,
) -> LocalHost:
    """Start `python -m devhost --port 0` with os.environ overlaid by `env`; wait until it listens."""
    return LocalHost(env or {}, Path(cwd), timeout, local_settings).start()


@pytest.fixture
def local_host_factory() -> Iterator[Callable[..., LocalHost]]:
    """`start_local_host`, with every host it started stopped at teardown."""
    started: list[LocalHost] = []

    def factory(
        env: Mapping[str, str] | None = None,
        cwd: Path | str = PROJECT_ROOT,
        timeout: float = START_TIMEOUT,
        local_settings: bool = False,
    ) -> LocalHost:
        host = start_local_host(env, cwd, timeout, local_settings)
        started.append(host)
        return host

    yield factory
    for host in started:
        host.stop()
