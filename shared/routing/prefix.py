"""The route prefix, read from host.json in one place (`extensions.http.routePrefix`, default `api`)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

DEFAULT_ROUTE_PREFIX = "api"
HOST_JSON = Path(__file__).resolve().parents[2] / "host.json"


def read_route_prefix(host_json: Path) -> str:
    """`extensions.http.routePrefix` of one host.json (slashes trimmed), else the host's default `api`."""
    try:
        data = json.loads(host_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DEFAULT_ROUTE_PREFIX
    http = (data.get("extensions") or {}).get("http") or {} if isinstance(data, dict) else {}
    prefix = http.get("routePrefix") if isinstance(http, dict) else None
    return prefix.strip("/") if isinstance(prefix, str) else DEFAULT_ROUTE_PREFIX


@functools.cache
def route_prefix() -> str:
    """The app's own route prefix (host.json beside function_app.py), read once per process."""
    return read_route_prefix(HOST_JSON)
