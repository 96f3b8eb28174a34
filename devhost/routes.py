"""The route table: HTTP-triggered functions, compiled and ordered once by ASP.NET-style precedence.

Per request the path is split and decoded once (`RequestPath`) and the templates are tried in
precedence order; everything else (parsing, sorting, the function's signature) is done at start.
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


class RouteTable:
    """Routes sorted by precedence (more literal segments first); ties keep registration order."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes: tuple[Route, ...] = tuple(sorted(routes, key=lambda r: r.precedence))

    def resolve(self, method: str, raw_path: str) -> Resolved | NotAllowed | None:
        """Find the function for a request; None when no template matches the path.

        The first route (in precedence order) that matches the path and accepts the method wins; HEAD
        falls back to a GET function when no matching route accepts HEAD itself.
        """
        path = RequestPath.parse(raw_path)
        method = method.upper()
        refused: list[tuple[Route, dict[str, str]]] = []
        for route in self.routes:
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
