"""Bind, load the function app and serve it with waitress on 127.0.0.1."""

from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

import waitress

from devhost.banner import describe
from devhost.errors import EnvelopeChannel, envelope, status_line, waitress_body_limit
from devhost.loader import find_root, load_app, project_settings
from devhost.loader import route_prefix as read_route_prefix
from devhost.wsgi import StartResponse, make_wsgi_app
from shared.errors import ServiceUnavailable

DEFAULT_THREADS = 8
#: How many ports above a busy one are tried for a suggestion.
_SUGGESTIONS = 20


class PortUnavailable(OSError):
    """The port cannot be bound (in use, or not allowed); the message says how to pick another."""


class _Deferred:
    """The WSGI target, filled in after binding (so the real port is known before the app is imported)."""

    app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        """Delegate to the loaded app (503 with Retry-After until it is set)."""
        if self.app is None:
            status, headers, body = envelope(
                ServiceUnavailable("The function app is still loading.", retry_after=1),
                environ.get("HTTP_CLIENT_REQUEST_ID"),
            )
            start_response(status_line(status), headers)
            return [body]
        return self.app(environ, start_response)


def _export_port(port: int) -> None:
    """Make the settings agree with the port actually bound (`--port 0`), before the app reads them."""
    os.environ["PORT"] = str(port)
    settings = sys.modules.get("shared.settings")
    if settings is not None:
        settings.get_settings.cache_clear()


def _free_port_near(host: str, port: int) -> int | None:
    """A port above `port` that can be bound right now (a suggestion, not a reservation)."""
    for candidate in range(port + 1, min(port + 1 + _SUGGESTIONS, 65536)):
        with socket.socket() as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return None


def _unavailable(host: str, port: int, error: OSError) -> PortUnavailable:
    """A message naming the port, the likely cause and how to choose another."""
    if error.errno == errno.EADDRINUSE:
        cause = f"port {port} on {host} is already in use (another `make run` or `func start`?)"
    else:
        cause = f"port {port} on {host} cannot be used ({error.strerror or error})"
    other = _free_port_near(host, port) or 8080
    return PortUnavailable(
        f"{cause}. Choose another port: PORT={other} make run  (or: python -m devhost --port {other})"
    )


def create(
    app: Any = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    *,
    root: str | Path | None = None,
    route_prefix: str | None = None,
    threads: int = DEFAULT_THREADS,
    body_cap: int | None = None,
) -> tuple[Any, str]:
    """Bind a waitress server and load the app; return (server, base URL). Call `server.run()` to serve.

    `port` defaults to the PORT setting and `body_cap` to the larger of MAX_BODY_BYTES and
    MAX_BATCH_BODY_BYTES (the largest body a route of the app accepts): a body over it is refused with
    a 413 as soon as its Content-Length is known, before any of it is read. A body under it but over a
    route's own limit reaches the app, which answers the same 413.
    """
    project = find_root(root)
    if port is None or body_cap is None:
        settings = project_settings(project)
        port = settings.port if port is None else port
        body_cap = settings.request_body_cap if body_cap is None else body_cap
    target = _Deferred()
    try:
        server = waitress.create_server(
            target,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=waitress_body_limit(body_cap),
            ident="devhost",
        )
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise _unavailable(host, port, error) from None
        raise
    server.channel_class = EnvelopeChannel
    try:
        real_port = int(server.effective_port)
        _export_port(real_port)
        if app is None:
            app = load_app(project)
        prefix = read_route_prefix(project) if route_prefix is None else route_prefix.strip("/")
        target.app = make_wsgi_app(app, prefix, body_cap)
    except BaseException:
        server.close()
        raise
    base = f"http://{host}:{real_port}" + (f"/{prefix}" if prefix else "")
    return server, base


def stop(server: Any, thread: threading.Thread | None = None) -> None:
    """Stop a server started with `create()` and `run()` (from any thread).

    Emptying the socket map ends `run()`'s loop after its current poll, which the server's trigger (a
    pipe in that poll) wakes at once; the sockets are closed only once that thread has left `select()`
    (closing them under it raises EBADF in the server thread).
    """
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
    channels = list(server._map.values())
    server._map.clear()
    server.pull_trigger()
    if thread is not None:
        thread.join(5)
    for channel in channels:
        channel.close()
    server.close()


def serve(app: Any = None, host: str = "127.0.0.1", port: int | None = None, **options: Any) -> None:
    """Serve until interrupted; print what the app uses, then `Profile API listening on <url>` once ready."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    server, base = create(app, host, port, **options)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    lines = describe(find_root(options.get("root")))
    if lines:  # the Profile API: its explorer (contract §11) is the first thing to open
        lines.append(f"explorer: {base}/docs")
    for line in lines:
        print(f"  {line}", flush=True)
    print(f"Profile API listening on {base}", flush=True)
    try:
        server.run()
    finally:
        server.close()
