"""Property paths in query options: resolving them against a facet type, and reading values at them.

Property names match case-insensitively (as Graph's do) and come back in canonical spelling. A path
goes into complex values (`detail/company/displayName`), never through a collection.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from shared.errors import BadRequest
from shared.facets.kinds import Complex, Enum, Kind, ListOf, instant_ticks
from shared.facets.model import FacetType
from shared.validation.names import shorten

#: A function from a raw wire value to a value that compares correctly, or None (null, or not that type).
Converter = Callable[[Any], Any]


def unknown_property(name: str, qualified: str) -> BadRequest:
    return BadRequest(f"Could not find a property named '{shorten(name)}' on type '{qualified}'.")


def lookup(properties: Mapping[str, Kind], name: str) -> str | None:
    """The canonical spelling of property `name` (case-insensitive), or None."""
    if name in properties:
        return name
    lower = name.lower()
    for candidate in properties:
        if candidate.lower() == lower:
            return candidate
    return None


def resolve(facet_type: FacetType, segments: tuple[str, ...], option: str) -> tuple[tuple[str, ...], Kind]:
    """The canonical path and the kind at `segments`; 400 naming the first segment that does not resolve."""
    properties: Mapping[str, Kind] = facet_type.properties
    owner = facet_type.qualified
    canonical: list[str] = []
    kind: Kind | None = None
    for segment in segments:
        if kind is not None:
            properties, owner = _members(kind, canonical, option)
        name = lookup(properties, segment)
        if name is None:
            raise unknown_property(segment, owner)
        canonical.append(name)
        kind = properties[name]
    if kind is None:
        raise BadRequest(f"Invalid {option}: a property name is missing.")
    return tuple(canonical), kind


def _members(kind: Kind, path: list[str], option: str) -> tuple[Mapping[str, Kind], str]:
    """The members of the complex value at `path`, which a path continues into."""
    if isinstance(kind, Complex):
        return kind.type.properties, kind.type.qualified
    where = "/".join(path)
    if isinstance(kind, ListOf):
        raise BadRequest(f"Invalid {option}: '{where}' is a collection; a property path cannot go through it.")
    raise BadRequest(f"Invalid {option}: '{where}' is not a complex property; a property path cannot go through it.")


def value_at(body: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at `path` in a wire body (None when it or any value on the way is null or absent)."""
    value: Any = body
    for name in path:
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def reader(path: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """A fast `value_at(body, path)` for one path (every list and filter reads the same paths n times)."""
    if len(path) == 1:
        name = path[0]
        return lambda body: body.get(name)
    if len(path) == 2:
        outer, inner = path

        def read_two(body: Mapping[str, Any]) -> Any:
            value = body.get(outer)
            if type(value) is dict or isinstance(value, Mapping):
                return value.get(inner)
            return None

        return read_two
    return lambda body: value_at(body, path)


def _string(raw: Any) -> Any:
    return raw if isinstance(raw, str) else None


def _boolean(raw: Any) -> Any:
    return raw if isinstance(raw, bool) else None


def _number(raw: Any) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    return raw


@lru_cache(maxsize=8192)
def _ticks(raw: str) -> int | None:
    try:
        return instant_ticks(raw)
    except OverflowError:  # an offset that moves the instant out of years 1..9999: not an instant
        return None


def _datetime(raw: Any) -> Any:
    return _ticks(raw) if isinstance(raw, str) else None


_CONVERTERS: dict[str, Converter] = {
    "string": _string,
    "boolean": _boolean,
    "number": _number,
    "date": _string,  # YYYY-MM-DD strings order as the dates do
    "datetime": _datetime,  # as instants (100 ns ticks), whatever the offset written
    "enum": _string,
}


def converter(query_type: str) -> Converter:
    """How raw wire values of `query_type` become comparable values (None for null or a foreign type)."""
    return _CONVERTERS[query_type]


def enum_position(members: tuple[str, ...]) -> Converter:
    """An enum member's position in declaration order (how `$orderby` sorts enum values)."""
    positions = {member: index for index, member in enumerate(members)}
    return lambda raw: positions.get(raw) if isinstance(raw, str) else None


def enum_members(kind: Kind) -> tuple[str, ...]:
    return kind.members if isinstance(kind, Enum) else ()
