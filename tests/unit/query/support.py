"""Real wire bodies of real facet types, and a helper that walks every page of a list query."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shared import query
from shared.facets.model import FacetType
from shared.facets.wire import to_wire

KEY = bytes(range(32))
PAGING = query.Paging(key=KEY, scope="tenant|caller|target|skills")


def facet_id(number: int) -> str:
    return str(uuid.UUID(int=number))


def created(number: int) -> str:
    """A distinct, increasing server-style timestamp for facet `number`."""
    seconds = number % 60
    minutes = number // 60 % 60
    hours = number // 3600
    return f"2024-01-01T{hours:02d}:{minutes:02d}:{seconds:02d}.0000000Z"


def facet(facet_type: FacetType, number: int, **values: Any) -> dict[str, Any]:
    """The wire body of a stored facet: every declared property, null where unset."""
    stored: dict[str, Any] = {
        "id": facet_id(number),
        "createdDateTime": created(number),
        "lastModifiedDateTime": created(number),
        "allowedAudiences": "organization",
        **values,
    }
    return to_wire(facet_type, stored, None)


def ids(bodies: Sequence[Mapping[str, Any]]) -> list[str]:
    return [body["id"] for body in bodies]


def run(
    facet_type: FacetType,
    params: Mapping[str, str],
    items: Sequence[Mapping[str, Any]],
    paging: query.Paging = PAGING,
) -> query.ListPage:
    return query.run_list(query.parse_list_query(params, facet_type), items, facet_type=facet_type, paging=paging)


def matching_ids(facet_type: FacetType, filter_text: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
    """The ids a `$filter` selects, in the default order."""
    return ids(run(facet_type, {"$filter": filter_text}, items).items)


def walk(
    facet_type: FacetType,
    params: Mapping[str, str],
    items: Callable[[int], Sequence[Mapping[str, Any]]],
    paging: query.Paging = PAGING,
    max_pages: int = 1000,
) -> list[query.ListPage]:
    """Follow next links from the first page; `items(n)` gives the collection as page n is read."""
    pages = []
    current = dict(params)
    for number in range(max_pages):
        parsed = query.parse_list_query(current, facet_type)
        page = query.run_list(parsed, items(number), facet_type=facet_type, paging=paging)
        pages.append(page)
        if page.next_skiptoken is None:
            return pages
        current = {**parsed.link_params(), "$skiptoken": page.next_skiptoken}
    raise AssertionError("the walk did not end")


def random_key() -> bytes:
    return os.urandom(32)
