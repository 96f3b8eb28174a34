"""Bind, load the function app and serve it with waitress on 127.0.0.1."""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import waitress

from devhost.convert import MAX_BODY_BYTES
from devhost.loader import find_root, load_app
from devhost.loader import route_prefix as read_route_prefix
from devhost.wsgi import StartResponse, error, make_wsgi_app

DEFAULT_THREADS = 8


class _Deferred:
    """The WSGI target, filled in after binding (so the real port is known before the app is imported)."""

    app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        """Delegate to the loaded app (503 until it is set)."""
        if self.app is None:
            status, headers, body = error(503, "serviceNotAvailable", "The function app is still loading.")
            start_response(f"{status} Service Unavailable", headers)
            return [body]
        return self.app(environ, start_response)


def _settings_port(root: Path) -> int:
    """PORT from the project's typed settings (contract §7)."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from shared.settings import get_settings

    return get_settings().port


def _export_port(port: int) -> None:
    """Make the settings agree with the port actually bound (`--port 0`), before the app reads them."""
    os.environ["PORT"] = str(port)
    settings = sys.modules.get("shared.settings")
    if settings is not None:
        settings.get_settings.cache_clear()


def create(app: Any = None, host: str = "127.0.0.1", port: int | None = None, *, root: str | Path | None = None,
           route_prefix: str | None = None, threads: int = DEFAULT_THREADS,
           body_cap: int = MAX_BODY_BYTES) -> tuple[Any, str]:
    """Bind a waitress server and load the app; return (server, base URL). Call `server.run()` to serve."""
    project = find_root(root)
    if port is None:
        port = _settings_port(project)
    target = _Deferred()
    server = waitress.create_server(target, host=host, port=port, threads=threads,
                                    max_request_body_size=body_cap, ident="devhost")
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

    Emptying the socket map ends `run()`'s loop after its current poll; the sockets are closed only
    once that thread has left `select()` (closing them under it raises EBADF in the server thread).
    """
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
    channels = list(server._map.values())
    server._map.clear()
    if thread is not None:
        thread.join(5)
    for channel in channels:
        channel.close()
    server.close()


def serve(app: Any = None, host: str = "127.0.0.1", port: int | None = None, **options: Any) -> None:
    """Serve until interrupted; print `Profile API listening on <url>` once connections are accepted."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server, base = create(app, host, port, **options)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Profile API listening on {base}", flush=True)
    try:
        server.run()
    finally:
        server.close()
