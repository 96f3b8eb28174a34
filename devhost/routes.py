"""The route table: HTTP-triggered functions, compiled and ordered once by ASP.NET-style precedence.

Per request the path is split and decoded once (`RequestPath`) and the templates that can match are
tried in precedence order; everything else (parsing, sorting, indexing, the function's signature) is
done at start. The index keys each template by its last literal segment and that segment's position
(`profile/skills` → (3, "skills")), so a request tries the few templates holding its own segments
rather than all 200.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from shared.routing.templates import RequestPath, Template


@dataclass(frozen=True)
class Route:
    """One HTTP-triggered function: its full template (prefix included), methods and callable."""

    name: str
    template: Template
    methods: frozenset[str] | None  # None: every method
    function: Callable[..., Any]
    arg_name: str = "req"
    wants_context: bool = False

    @property
    def precedence(self) -> tuple[int, ...]:
        """Per-segment precedence digits; compared as tuples, lower first."""
        return self.template.precedence

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
    """Build a route whose template is `prefix/template` (parsed now; a bad template raises ValueError)."""
    full = "/".join(p for p in (prefix.strip("/"), (template or name).strip("/")) if p)
    wants_context = "context" in inspect.signature(function).parameters
    return Route(name, Template.parse(full), _methods(methods), function, arg_name, wants_context)


def _last_literal(template: Template) -> tuple[int, str] | None:
    """(position, lower-case text) of the template's last literal segment, None when it has none.

    Every segment before a catch-all (which can only be last) stands for exactly one path segment, so a
    matching path holds that literal at that position.
    """
    for position in range(len(template.segments) - 1, -1, -1):
        segment = template.segments[position]
        if isinstance(segment, str):
            return position, segment
    return None


class RouteTable:
    """Routes sorted by precedence (more literal segments first); ties keep registration order."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes: tuple[Route, ...] = tuple(sorted(routes, key=lambda r: r.precedence))
        self._by_literal: dict[tuple[int, str], list[int]] = {}
        self._unkeyed: list[int] = []
        for index, route in enumerate(self.routes):
            key = _last_literal(route.template)
            (self._unkeyed if key is None else self._by_literal.setdefault(key, [])).append(index)
        self._positions = sorted({position for position, _ in self._by_literal})

    def _candidates(self, path: RequestPath) -> list[Route]:
        """The routes that may match `path`, in precedence order (the others lack one of its literals)."""
        indexes = list(self._unkeyed)
        for position in self._positions:
            if position >= len(path.lowered):
                break
            indexes.extend(self._by_literal.get((position, path.lowered[position]), ()))
        return [self.routes[i] for i in sorted(indexes)]

    def resolve(self, method: str, raw_path: str) -> Resolved | NotAllowed | None:
        """Find the function for a request; None when no template matches the path.

        The first route (in precedence order) that matches the path and accepts the method wins; HEAD
        falls back to a GET function when no matching route accepts HEAD itself.
        """
        path = RequestPath.parse(raw_path)
        method = method.upper()
        refused: list[tuple[Route, dict[str, str]]] = []
        for route in self._candidates(path):
            values = route.template.match(path)
            if values is None:
                continue
            if route.allows(method):
                return Resolved(route, values, method)
            refused.append((route, values))
        if not refused:
            return None
        if method == "HEAD":
            for route, values in refused:
                if route.allows("GET"):
                    return Resolved(route, values, "GET")
        allowed = {m for route, _ in refused for m in route.methods or ()}
        if "GET" in allowed:
            allowed.add("HEAD")
        return NotAllowed(tuple(sorted(allowed)))
