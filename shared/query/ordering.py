"""`$orderby`: parsing it, and the total order every list is sorted and paged in.

The order is the `$orderby` keys, then `createdDateTime`, then `id` (both ascending), so no two
facets ever tie and a page boundary is one exact position (the keyset a paging token carries).

Values compare by type: strings ordinally (by code point, so case-sensitive: `"B" < "a"`), numbers
numerically, booleans false before true, dates and date-times as instants, enum members by their
declaration order. Null sorts before every value ascending and after every value descending, as
OData v4 says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from shared.errors import BadRequest
from shared.facets.kinds import MAX_TEXT, Text
from shared.facets.model import FacetType
from shared.query.model import MAX_ORDERBY_KEYS, OrderKey
from shared.query.paths import converter, enum_members, enum_position, reader, resolve
from shared.validation.names import shorten

#: The tie-breakers every order ends with.
_TIE_BREAKERS = (("createdDateTime",), ("id",))


def parse_orderby(value: str, facet_type: FacetType) -> tuple[OrderKey, ...]:
    """The keys of `$orderby=path [asc|desc], ...`; 400 naming what is wrong."""
    items = value.split(",")
    if len(items) > MAX_ORDERBY_KEYS:
        raise BadRequest(f"Invalid $orderby: at most {MAX_ORDERBY_KEYS} properties can be ordered by.")
    keys: list[OrderKey] = []
    for item in items:
        key = _parse_item(item, facet_type)
        if any(existing.path == key.path for existing in keys):
            raise BadRequest(f"Invalid $orderby: '{'/'.join(key.path)}' appears more than once.")
        keys.append(key)
    return tuple(keys)


def _parse_item(item: str, facet_type: FacetType) -> OrderKey:
    words = item.split()
    if not words:
        raise BadRequest("Invalid $orderby: a property name is missing.")
    if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
        raise BadRequest(f"Invalid $orderby: '{shorten(item.strip())}' must be a property path, then asc or desc.")
    segments = tuple(words[0].split("/"))
    for segment in segments:
        if not (segment.isascii() and segment.isidentifier()):
            raise BadRequest(
                f"Invalid $orderby: '{shorten(words[0])}' is not a property path; only properties can be ordered by."
            )
    path, kind = resolve(facet_type, segments, "$orderby")
    if kind.query_type is None:
        raise BadRequest(
            f"Invalid $orderby: '{'/'.join(path)}' is not a primitive property; "
            "complex values and collections cannot be ordered by."
        )
    if isinstance(kind, Text) and kind.max_length > MAX_TEXT:
        raise BadRequest(
            f"Invalid $orderby: '{'/'.join(path)}' is long text (up to {kind.max_length} characters), "
            "which cannot be ordered by."
        )
    descending = len(words) == 2 and words[1].lower() == "desc"
    return OrderKey(path, descending, kind.query_type, enum_members(kind))


#: One facet in a list being sorted: (key parts, position components, wire body or None for a position).
Row = tuple[tuple[Any, ...], list[Any], Mapping[str, Any] | None]


class Ordering:
    """The total order of one `$orderby`: the position components of a body, and sorting rows by them.

    A part of the sort key is `(0,)` for null and `(1, value)` otherwise, so values of one type never
    meet None in a comparison. Sorting runs one stable pass per run of keys with the same direction,
    least significant first (`reverse=True` passes keep equal rows in order), so every comparison is
    the interpreter's own tuple comparison.
    """

    def __init__(self, keys: tuple[OrderKey, ...]) -> None:
        readers = []
        types = []
        descending = []
        for key in keys:
            convert = enum_position(key.members) if key.query_type == "enum" else converter(key.query_type)
            readers.append(_read(key.path, convert))
            types.append(key.query_type)
            descending.append(key.descending)
        readers.append(_read(_TIE_BREAKERS[0], converter("datetime")))
        readers.append(_read(_TIE_BREAKERS[1], converter("string")))
        self._readers = tuple(readers)
        self._types = (*types, "datetime", "string")
        self._passes = _passes((*descending, False, False))

    def row(self, body: Mapping[str, Any]) -> Row:
        """`body` with its sort-key parts and its position components (None for null; JSON-serialisable)."""
        return self.position_row([read(body) for read in self._readers], body)

    @staticmethod
    def position_row(components: list[Any], body: Mapping[str, Any] | None = None) -> Row:
        return tuple([(0,) if value is None else (1, value) for value in components]), components, body

    def sort(self, rows: list[Row]) -> None:
        """Sort `rows` in place; rows whose keys are equal keep their order."""
        for key, descending in self._passes:
            rows.sort(key=key, reverse=descending)

    def is_position(self, components: object) -> bool:
        """True when `components` (read back from a token) has this order's shape and value types."""
        if not isinstance(components, list) or len(components) != len(self._types):
            return False
        pairs = zip(components, self._types, strict=True)
        return all(value is None or _has_type(value, query_type) for value, query_type in pairs)


def _passes(descending: tuple[bool, ...]) -> tuple[tuple[Callable[[Row], Any], bool], ...]:
    """The sorting passes, least significant first: one per run of consecutive keys with one direction."""
    runs: list[tuple[list[int], bool]] = []
    for index, direction in enumerate(descending):
        if runs and runs[-1][1] == direction:
            runs[-1][0].append(index)
        else:
            runs.append(([index], direction))
    return tuple((_key(itemgetter(*indices)), direction) for indices, direction in reversed(runs))


def _key(parts_of: Callable[[tuple[Any, ...]], Any]) -> Callable[[Row], Any]:
    def key(row: Row) -> Any:
        return parts_of(row[0])

    return key


def _read(path: tuple[str, ...], convert: Callable[[Any], Any]) -> Callable[[Mapping[str, Any]], Any]:
    read = reader(path)
    return lambda body: convert(read(body))


def _has_type(value: object, query_type: str) -> bool:
    if query_type in ("string", "date"):
        return isinstance(value, str)
    if query_type == "boolean":
        return isinstance(value, bool)
    if query_type in ("datetime", "enum"):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, int | float) and not isinstance(value, bool)  # number
