"""The Functions host's routing rule: HTTP functions tried in function-name order, first match wins.

The host (v4) does not rank templates the way ASP.NET Core's endpoint routing does: it adds one route per
HTTP function in the order of the functions' names, compared case-insensitively and ordinally, and the
first route whose template matches the path *and* whose methods include the request's method takes the
request (docs/architecture.md, "Routing", cites the host's issues). A GET-only function does not answer
HEAD; a function with no methods listed answers every method. `Router` applies exactly that rule: the
local host routes with it, the catch-all uses it to tell 405 from 404, `$batch` items are dispatched
through it, and a test checks with it that no route of the app is shadowed.

Per request the path is split and decoded once; an index by each template's last literal segment (and
its position) narrows the templates tried to the few that can match, without changing their order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.routing.templates import RequestPath, Template

T = TypeVar("T")


def host_order_key(name: str) -> str:
    """The host's order of function names: ordinal, ignoring case (.NET upper-cases to compare)."""
    return name.upper()


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One HTTP function as the host sees it: name, full template (prefix included), methods, and a payload."""

    name: str
    template: Template
    methods: frozenset[str] | None  # None: every method
    target: T

    def allows(self, method: str) -> bool:
        return self.methods is None or method in self.methods


@dataclass(frozen=True)
class Match(Generic[T]):
    """The function that takes a request, and the route values bound from the path."""

    entry: Entry[T]
    values: dict[str, str]


def methods_of(raw: Iterable[object] | None) -> frozenset[str] | None:
    """Upper-case method names from strings or `HttpMethod`s; empty or None means every method."""
    names = frozenset(str(getattr(m, "value", m)).upper() for m in raw or ())
    return names or None


def full_template(prefix: str, route: str) -> str:
    """`prefix/route` with the slashes between them normalised (an empty prefix adds nothing)."""
    return "/".join(part for part in (prefix.strip("/"), route.strip("/")) if part)


class Router(Generic[T]):
    """Entries in the host's order, with a literal index that keeps that order."""

    def __init__(self, entries: Iterable[Entry[T]]) -> None:
        self.entries: tuple[Entry[T], ...] = tuple(sorted(entries, key=lambda e: host_order_key(e.name)))
        self._by_literal: dict[tuple[int, str], list[int]] = {}
        self._unkeyed: list[int] = []
        for index, entry in enumerate(self.entries):
            key = entry.template.last_literal()
            (self._unkeyed if key is None else self._by_literal.setdefault(key, [])).append(index)
        self._positions = sorted({position for position, _ in self._by_literal})

    def candidates(self, path: RequestPath) -> list[Entry[T]]:
        """The entries that may match `path`, in the host's order (the others lack one of its literals)."""
        indexes = list(self._unkeyed)
        for position in self._positions:
            if position >= len(path.lowered):
                break
            indexes.extend(self._by_literal.get((position, path.lowered[position]), ()))
        return [self.entries[i] for i in sorted(indexes)]

    def resolve(self, method: str, raw_path: str) -> Match[T] | None:
        """The first entry, in name order, whose template matches the path and which accepts the method."""
        path = RequestPath.parse(raw_path)
        method = method.upper()
        for entry in self.candidates(path):
            if entry.allows(method):
                values = entry.template.match(path)
                if values is not None:
                    return Match(entry, values)
        return None

    def allowed(self, raw_path: str) -> tuple[str, ...]:
        """The methods listed by the entries whose template matches the path (every-method entries excluded)."""
        path = RequestPath.parse(raw_path)
        found = {
            method
            for entry in self.candidates(path)
            if entry.methods is not None and entry.template.match(path) is not None
            for method in entry.methods
        }
        return tuple(sorted(found))
