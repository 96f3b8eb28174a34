"""The route table: HTTP-triggered functions, ordered by ASP.NET-style precedence, resolved per request."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from devhost.templates import Segment, match, parse_template, rank


@dataclass(frozen=True)
class Route:
    """One HTTP-triggered function: its full template (prefix included), methods and callable."""

    name: str
    template: str
    segments: tuple[Segment, ...]
    methods: frozenset[str] | None  # None: every method
    function: Callable[..., Any]
    arg_name: str = "req"

    @property
    def precedence(self) -> tuple[int, ...]:
        """Per-segment precedence digits; compared as tuples, lower first."""
        return tuple(rank(s) for s in self.segments)

    def allows(self, method: str) -> bool:
        """True when the function accepts the method."""
        return self.methods is None or method in self.methods


@dataclass(frozen=True)
class Resolved:
    """A request matched a route; `method` is the method the function is invoked with."""

    route: Route
    values: dict[str, str]
    method: str


@dataclass(frozen=True)
class NotAllowed:
    """The path matched one or more routes, none of which accepts the method."""

    allowed: tuple[str, ...]


def _methods(raw: Iterable[Any] | None) -> frozenset[str] | None:
    """Normalise `HttpMethod`s or strings to upper-case names; empty or None means all."""
    names = frozenset(str(getattr(m, "value", m)).upper() for m in raw or ())
    return names or None


def make_route(name: str, template: str, prefix: str, methods: Iterable[Any] | None,
               function: Callable[..., Any], arg_name: str = "req") -> Route:
    """Build a route whose template is `prefix/template`."""
    full = "/".join(p for p in (prefix.strip("/"), (template or name).strip("/")) if p)
    return Route(name, full, parse_template(full), _methods(methods), function, arg_name)


def split_path(raw_path: str) -> list[str]:
    """Split a raw request path into raw segments, ignoring one trailing slash."""
    path = raw_path.lstrip("/")
    path = path[:-1] if path.endswith("/") else path
    return path.split("/") if path else []


class RouteTable:
    """Routes sorted by precedence (more literal segments first); ties keep registration order."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes: list[Route] = sorted(routes, key=lambda r: r.precedence)

    def resolve(self, method: str, raw_path: str) -> Resolved | NotAllowed | None:
        """Find the function for a request; None when no template matches the path."""
        segments = split_path(raw_path)
        candidates = [(r, v) for r in self.routes if (v := match(r.segments, segments)) is not None]
        if not candidates:
            return None
        method = method.upper()
        for wanted in (method, "GET") if method == "HEAD" else (method,):
            for route, values in candidates:
                if route.allows(wanted):
                    return Resolved(route, values, wanted)
        allowed = {m for route, _ in candidates for m in route.methods or ()}
        if "GET" in allowed:
            allowed.add("HEAD")
        return NotAllowed(tuple(sorted(allowed)))
