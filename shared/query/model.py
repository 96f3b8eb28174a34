"""The values the query options engine hands to its callers: parsed options, pages and paging context.

They are small immutable records: keyword constructors, read-only attributes, equality by value,
a readable repr. They are plain slotted classes rather than dataclasses because creating a
dataclass costs about a millisecond at import, and this package is imported on every cold start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: `$top`: the largest page, and the page size when `$top` is absent (contract §2.3).
MAX_TOP = 100
#: `$skip`: the largest offset accepted (a user holds at most 10,000 facets per collection).
MAX_SKIP = 10_000_000
#: `$filter`: the longest expression accepted, in characters.
MAX_FILTER_LENGTH = 2000
#: `$filter`: the deepest nesting of parentheses, `not`, function calls and `any` bodies.
MAX_FILTER_DEPTH = 20
#: `$filter`: the most work units (shared/query/filter_compile.py) one evaluation over a collection
#: may cost; a filter estimated above it is refused before it runs. `make bench` shows the time of
#: the costliest filters below it over the largest collection.
MAX_FILTER_WORK = 100_000_000
#: Any other option's value: the longest accepted, in characters.
MAX_OPTION_LENGTH = 2000
#: `$orderby`: the most properties one ordering names.
MAX_ORDERBY_KEYS = 5
#: `$skiptoken`: the longest token accepted, in characters (the longest one issued is shorter).
MAX_SKIPTOKEN_LENGTH = 16_384
#: Bytes of a list response kept for everything but its items: `@odata.context`, `@odata.count` and
#: `@odata.nextLink` (which repeats `$filter`, `$orderby` and `$select`, percent-encoded, and the token).
LIST_ENVELOPE_BYTES = 32_768
#: Bytes of a profile response kept for each expanded collection besides its items: its name and its
#: `{collection}@odata.nextLink` (which repeats the nested `$select`, and the token).
EXPANDED_ENVELOPE_BYTES = 8_192


class Record:
    """Base of the immutable records below: subclasses list their fields in `__slots__`."""

    __slots__: tuple[str, ...] = ()

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and type(other) is type(self) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((type(self).__name__, *self._fields()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__ if name not in _HIDDEN)
        return f"{type(self).__name__}({shown})"


#: Fields never shown in a repr (secrets, functions).
_HIDDEN = frozenset({"key", "predicate", "estimate"})


class Filter(Record):
    """A compiled `$filter`: `matches(body)` is True when a facet's wire body satisfies it.

    `work(bodies, limit)` estimates, without evaluating anything, the work units of evaluating it
    over `bodies` (an upper bound; it stops counting once past `limit`), so that a filter too costly
    for a collection can be refused before it runs (`MAX_FILTER_WORK`).
    """

    __slots__ = ("estimate", "predicate", "text")
    #: The expression as the client wrote it.
    text: str
    #: The predicate over a wire body (three-valued inside; only a true result matches).
    predicate: Callable[[Mapping[str, Any]], bool]
    #: (bodies, limit) -> work units.
    estimate: Callable[[Iterable[Mapping[str, Any]], int | None], int]

    def __init__(
        self,
        text: str,
        predicate: Callable[[Mapping[str, Any]], bool],
        estimate: Callable[[Iterable[Mapping[str, Any]], int | None], int] | None = None,
    ) -> None:
        self._set(text=text, predicate=predicate, estimate=estimate or _no_work)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def matches(self, body: Mapping[str, Any]) -> bool:
        return self.predicate(body)

    def work(self, bodies: Iterable[Mapping[str, Any]], limit: int | None = None) -> int:
        return self.estimate(bodies, limit)


def _no_work(bodies: Iterable[Mapping[str, Any]], limit: int | None = None) -> int:
    return 0


class OrderKey(Record):
    """One `$orderby` item: a primitive property path and its direction."""

    __slots__ = ("descending", "members", "path", "query_type")
    #: The property path in canonical spelling, e.g. `("detail", "jobTitle")`.
    path: tuple[str, ...]
    descending: bool
    #: How values compare: the property kind's `query_type` ('string', 'number', 'date', ...).
    query_type: str
    #: For an enum: its members in declaration order (values order by their position).
    members: tuple[str, ...]

    def __init__(
        self, path: tuple[str, ...], descending: bool = False, query_type: str = "string", members: tuple[str, ...] = ()
    ) -> None:
        self._set(path=path, descending=descending, query_type=query_type, members=members)

    @property
    def text(self) -> str:
        """Canonical form, e.g. `detail/jobTitle desc`."""
        return "/".join(self.path) + (" desc" if self.descending else " asc")


class ListQuery(Record):
    """The options of GET `.../profile/{collection}`."""

    __slots__ = ("count", "filter", "link", "orderby", "select", "skip", "skiptoken", "top")
    #: 1..100, default 100.
    top: int
    #: >= 0; applies to the first page only.
    skip: int
    filter: Filter | None
    #: () means the default order (createdDateTime, id); those two always break ties.
    orderby: tuple[OrderKey, ...]
    #: Top-level property names (canonical spelling), or None for every property.
    select: tuple[str, ...] | None
    count: bool
    skiptoken: str | None
    #: The options to repeat in `@odata.nextLink`, as the client wrote them (canonical `$` names).
    link: tuple[tuple[str, str], ...]

    def __init__(  # noqa: PLR0913  # one keyword argument per query option
        self,
        *,
        top: int = MAX_TOP,
        skip: int = 0,
        filter: Filter | None = None,
        orderby: tuple[OrderKey, ...] = (),
        select: tuple[str, ...] | None = None,
        count: bool = False,
        skiptoken: str | None = None,
        link: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._set(
            top=top,
            skip=skip,
            filter=filter,
            orderby=orderby,
            select=select,
            count=count,
            skiptoken=skiptoken,
            link=link,
        )

    def link_params(self) -> dict[str, str]:
        """`$filter`, `$orderby`, `$select`, `$top`, `$count` as the client wrote them (never `$skip`)."""
        return dict(self.link)

    def canonical(self) -> str:
        """The query a paging token is bound to: filter text, ordering, selection and page size."""
        import json

        orderby = ",".join(key.text for key in self.orderby)
        select = None if self.select is None else ",".join(self.select)
        text = None if self.filter is None else self.filter.text
        return json.dumps([text, orderby, select, self.top], ensure_ascii=True, separators=(",", ":"))


class ProfileQuery(Record):
    """The options of GET `.../profile`."""

    __slots__ = ("expand", "select")
    #: `id` and/or collection names (navigation properties), canonical spelling; None = everything.
    select: tuple[str, ...] | None
    #: Expanded collection (canonical spelling) -> its nested `$select`, or None for every property.
    expand: dict[str, tuple[str, ...] | None]

    def __init__(
        self, select: tuple[str, ...] | None = None, expand: dict[str, tuple[str, ...] | None] | None = None
    ) -> None:
        self._set(select=select, expand={} if expand is None else expand)

    def __hash__(self) -> int:
        return hash((self.select, tuple(self.expand.items())))


class Paging(Record):
    """What a paging token is sealed with and bound to."""

    __slots__ = ("key", "scope")
    #: The deployment's secret (32 bytes, the same on every instance).
    key: bytes
    #: Who and what the token is for: caller, target user, collection.
    scope: str

    def __init__(self, key: bytes, scope: str) -> None:
        self._set(key=key, scope=scope)


class PageLimits(Record):
    """How large one page may be: at most `max_items` items and `max_bytes` bytes of items (each
    item counted as its JSON in UTF-8); a page always holds at least one item."""

    __slots__ = ("max_bytes", "max_items")
    max_items: int
    max_bytes: int

    def __init__(self, max_items: int = MAX_TOP, max_bytes: int = 4 * 1024 * 1024) -> None:
        self._set(max_items=max_items, max_bytes=max_bytes)


class ListPage(Record):
    """One page of a collection."""

    __slots__ = ("count", "items", "next_skiptoken")
    #: The page's wire bodies, projected by `$select`.
    items: list[dict[str, Any]]
    #: The `$skiptoken` of the next page, or None on the last page.
    next_skiptoken: str | None
    #: `@odata.count` when `$count=true`: how many items match `$filter` (all pages together).
    count: int | None

    def __init__(self, items: list[dict[str, Any]], next_skiptoken: str | None, count: int | None) -> None:
        self._set(items=items, next_skiptoken=next_skiptoken, count=count)

    __hash__ = None  # type: ignore[assignment]  # holds a list
