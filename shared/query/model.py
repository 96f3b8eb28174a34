"""The values the query options engine hands to its callers: parsed options, pages and paging context.

Nothing here parses or evaluates; the modules beside this one do. Importing this module costs
nothing beyond the standard library's dataclasses.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: `$top`: the largest page, and the page size when `$top` is absent (contract §2.3).
MAX_TOP = 100
#: `$skip`: the largest offset accepted (a user holds at most 10,000 facets per collection).
MAX_SKIP = 10_000_000
#: `$filter`: the longest expression accepted, in characters.
MAX_FILTER_LENGTH = 2000
#: `$filter`: the deepest nesting of parentheses, `not`, function calls and `any` bodies.
MAX_FILTER_DEPTH = 20
#: Any other option's value: the longest accepted, in characters.
MAX_OPTION_LENGTH = 2000
#: `$orderby`: the most properties one ordering names.
MAX_ORDERBY_KEYS = 5
#: `$skiptoken`: the longest token accepted, in characters (the longest one issued is far shorter).
MAX_SKIPTOKEN_LENGTH = 16_384


@dataclass(frozen=True)
class Filter:
    """A compiled `$filter`: `matches(body)` is True when a facet's wire body satisfies it."""

    #: The expression as the client wrote it.
    text: str
    #: The predicate over a wire body (three-valued inside; only a true result matches).
    predicate: Callable[[Mapping[str, Any]], bool] = field(repr=False, compare=False)

    def matches(self, body: Mapping[str, Any]) -> bool:
        return self.predicate(body)


@dataclass(frozen=True)
class OrderKey:
    """One `$orderby` item: a primitive property path and its direction."""

    #: The property path in canonical spelling, e.g. `("detail", "jobTitle")`.
    path: tuple[str, ...]
    descending: bool = False
    #: How values compare: the property kind's `query_type` ('string', 'number', 'date', ...).
    query_type: str = "string"
    #: For an enum: its members in declaration order (values order by their position).
    members: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Canonical form, e.g. `detail/jobTitle desc`."""
        return "/".join(self.path) + (" desc" if self.descending else " asc")


@dataclass(frozen=True)
class ListQuery:
    """The options of GET `.../profile/{collection}`."""

    top: int = MAX_TOP
    skip: int = 0
    filter: Filter | None = None
    #: () means the default order (createdDateTime, id); those two always break ties.
    orderby: tuple[OrderKey, ...] = ()
    select: tuple[str, ...] | None = None
    count: bool = False
    skiptoken: str | None = None
    #: The options to repeat in `@odata.nextLink`, as the client wrote them (canonical `$` names).
    link: tuple[tuple[str, str], ...] = ()

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


@dataclass(frozen=True)
class ProfileQuery:
    """The options of GET `.../profile`."""

    #: `id` and/or collection names (navigation properties), canonical spelling; None = everything.
    select: tuple[str, ...] | None = None
    #: Expanded collection (canonical spelling) -> its nested `$select`, or None for every property.
    expand: dict[str, tuple[str, ...] | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Paging:
    """What a paging token is sealed with and bound to."""

    #: The deployment's secret (32 bytes, the same on every instance).
    key: bytes = field(repr=False)
    #: Who and what the token is for: caller, target user, collection.
    scope: str


@dataclass(frozen=True)
class ListPage:
    """One page of a collection."""

    #: The page's wire bodies, projected by `$select`.
    items: list[dict[str, Any]]
    #: The `$skiptoken` of the next page, or None on the last page.
    next_skiptoken: str | None
    #: `@odata.count` when `$count=true`: how many items match `$filter` (all pages together).
    count: int | None
