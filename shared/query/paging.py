"""Running a list query over the facets a caller may see: filter, order, page, project.

Paging is keyset, not offset: a `$skiptoken` carries the sort-key values of the last item returned
(its `$orderby` values, `createdDateTime`, `id`), and the next page starts strictly after them. So
a walk never repeats or skips an item that existed for the whole walk, whatever is inserted or
deleted between pages. `$skip` applies only to the first page.

The token is opaque and sealed: AES-GCM under a key derived from `Paging.key`, with the scope (caller,
target, collection) and the canonical query (filter text, ordering, selection, page size) as
associated data. It discloses nothing, and a token that is altered, or presented by another caller,
for another user or collection, or with other options, is 400.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from shared.errors import BadRequest
from shared.facets.model import FacetType
from shared.query.model import MAX_FILTER_WORK, MAX_SKIPTOKEN_LENGTH, ListPage, ListQuery, PageLimits, Paging
from shared.query.ordering import Ordering, Row
from shared.query.selecting import project

INVALID_SKIPTOKEN_MESSAGE = "The $skiptoken is not valid for this request."
FILTER_TOO_COSTLY_MESSAGE = (
    "The $filter would take too much work to evaluate over this collection ({count} items). Use fewer "
    "conditions (especially inside any), shorter contains() patterns, or split it into several requests."
)
_VERSION = 1
_NONCE = 12
_TAG = 16
#: The base64url alphabet (no padding): every character of a token.
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_PURPOSE = b"profile-api paging token v1"


def run_list(
    query: ListQuery,
    items: Sequence[Mapping[str, Any]],
    *,
    facet_type: FacetType,
    paging: Paging,
    limits: PageLimits | None = None,
) -> ListPage:
    """The page `query` asks for, from `items` (the facets the caller may see, as wire bodies).

    A page holds at most `$top` items, and with `limits` at most `limits.max_items` items and
    `limits.max_bytes` bytes of items (at least one item); the next link continues after its last item.
    """
    ordering = Ordering(query.orderby)
    check_filter_work(query, items)
    matching = list(items) if query.filter is None else [body for body in items if query.filter.matches(body)]
    rows = [ordering.row(body) for body in matching]
    if query.skiptoken is not None:
        position = open_token(query.skiptoken, paging, _bound_to(query, facet_type), ordering)
        marker = ordering.position_row(position)
        rows.append(marker)  # sorted with the rest: it lands right after the item it was taken from
        ordering.sort(rows)
        start = next(index for index, row in enumerate(rows) if row is marker) + 1
    else:
        ordering.sort(rows)
        start = min(query.skip, len(rows))
    size = query.top if limits is None else min(query.top, limits.max_items)
    page = rows[start : start + size]
    shown = [project(body, query.select) for _, _, body in page if body is not None]
    if limits is not None:
        kept = len(within_bytes([item_bytes(item) for item in shown], limits.max_bytes))
        page, shown = page[:kept], shown[:kept]
    more = start + len(page) < len(rows)
    token = seal_token(page[-1][1], paging, _bound_to(query, facet_type)) if more else None
    return ListPage(items=shown, next_skiptoken=token, count=len(matching) if query.count else None)


def first_page(
    bodies: Iterable[Mapping[str, Any]],
    *,
    facet_type: FacetType,
    select: tuple[str, ...] | None,
    paging: Paging,
    limits: PageLimits,
) -> ListPage:
    """The first page of one collection (see `first_pages`)."""
    pages = first_pages(
        ((facet_type.collection, body) for body in bodies),
        {facet_type.collection: (facet_type, select, paging)},
        limits,
    )
    return pages[facet_type.collection]


def first_pages(
    bodies: Iterable[tuple[str, Mapping[str, Any]]],
    collections: Mapping[str, tuple[FacetType, tuple[str, ...] | None, Paging]],
    limits: PageLimits,
) -> dict[str, ListPage]:
    """The first page of each collection in the default order, projected by its `select`, as an
    expanded collection shows it; its token continues on the list route with that `$select` (and no
    other option).

    `bodies` ((collection name, wire body) pairs, in no particular order) is read once and never
    held: per collection only the items that can still be on the page, and the one after it, are
    kept (at most `limits.max_items` + 1 items, and `limits.max_bytes` bytes plus two items).
    """
    ordering = Ordering(())
    windows = {name: _Window(limits) for name in collections}
    for name, body in bodies:
        windows[name].offer(ordering.row(body), collections[name][1])
    pages = {}
    for name, (facet_type, select, paging) in collections.items():
        page, more = windows[name].page()
        token = None
        if more:
            token = seal_token(page[-1][0][1], paging, _bound_to(ListQuery(select=select), facet_type))
        pages[name] = ListPage(items=[item for _, item, _ in page], next_skiptoken=token, count=None)
    return pages


def item_bytes(item: Mapping[str, Any]) -> int:
    """The bytes an item adds to a response: its JSON in UTF-8, as `json_response` writes it, and a comma."""
    import json

    text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-8", "surrogatepass")) + 1


def within_bytes(sizes: list[int], max_bytes: int) -> list[int]:
    """The longest prefix of `sizes` whose sum is at most `max_bytes`, and never empty when `sizes` is not."""
    total = 0
    for index, size in enumerate(sizes):
        total += size
        if total > max_bytes and index > 0:
            return sizes[:index]
    return sizes


class _Window:
    """The smallest rows by sort key seen so far (all keys ascending: the default order), trimmed so
    that they still hold the first page (at most `max_items` items and `max_bytes` bytes, at least one)
    and the item after it: the largest row goes whenever there are more than `max_items` + 1, or when
    the others alone exceed `max_bytes` (then neither the page nor the next item can be it)."""

    def __init__(self, limits: PageLimits) -> None:
        self.max_items = limits.max_items
        self.max_bytes = limits.max_bytes
        self.kept: list[tuple[Row, dict[str, Any], int]] = []  # sorted by row key
        self.total = 0

    def offer(self, row: Row, select: tuple[str, ...] | None) -> None:
        kept = self.kept
        if (
            kept
            and row[0] > kept[-1][0][0]
            and (len(kept) > self.max_items or (len(kept) >= 2 and self.total > self.max_bytes))
        ):
            return  # it would be the largest, and trimmed at once: not even sized
        item = project(row[2] or {}, select)
        size = item_bytes(item)
        index = bisect.bisect_right([entry[0][0] for entry in kept], row[0])
        kept.insert(index, (row, item, size))
        self.total += size
        while len(kept) > self.max_items + 1 or (len(kept) >= 3 and self.total - kept[-1][2] > self.max_bytes):
            self.total -= kept.pop()[2]

    def page(self) -> tuple[list[tuple[Row, dict[str, Any], int]], bool]:
        """The page (a prefix of the kept rows) and whether an item follows it."""
        sizes = within_bytes([size for _, _, size in self.kept[: self.max_items]], self.max_bytes)
        page = self.kept[: len(sizes)]
        return page, len(self.kept) > len(page)


def check_filter_work(query: ListQuery, items: Sequence[Mapping[str, Any]]) -> None:
    """400 before any evaluation when `$filter` would cost more than `MAX_FILTER_WORK` over `items`."""
    if query.filter is not None and query.filter.work(items, MAX_FILTER_WORK) > MAX_FILTER_WORK:
        raise BadRequest(FILTER_TOO_COSTLY_MESSAGE.format(count=len(items)))


def check_token_text(token: str) -> None:
    """The cheap checks of a `$skiptoken` (length and alphabet), done when the options are parsed."""
    if not token or len(token) > MAX_SKIPTOKEN_LENGTH or token.strip(_ALPHABET):  # strip leaves what is foreign
        raise BadRequest(INVALID_SKIPTOKEN_MESSAGE)


def _bound_to(query: ListQuery, facet_type: FacetType) -> str:
    return f"{facet_type.qualified}\n{query.canonical()}"


def _associated_data(paging: Paging, bound_to: str) -> bytes:
    import json

    return json.dumps([_VERSION, paging.scope, bound_to], ensure_ascii=True).encode("ascii")


@lru_cache(maxsize=8)
def _cipher(key: bytes) -> Any:
    """AES-256-GCM under a key derived from the deployment secret for this purpose only."""
    import hashlib
    import hmac

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(hmac.new(key, _PURPOSE, hashlib.sha256).digest())


def seal_token(position: list[Any], paging: Paging, bound_to: str) -> str:
    """An opaque token for `position`, bound to the scope and the query."""
    import base64
    import json
    import os

    plaintext = json.dumps(position, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    nonce = os.urandom(_NONCE)
    sealed = _cipher(paging.key).encrypt(
        nonce, plaintext.encode("utf-8", "surrogatepass"), _associated_data(paging, bound_to)
    )
    return base64.urlsafe_b64encode(bytes([_VERSION]) + nonce + sealed).rstrip(b"=").decode("ascii")


def open_token(token: str, paging: Paging, bound_to: str, ordering: Ordering) -> list[Any]:
    """The position a token carries; 400 for any token this scope and query did not issue."""
    import base64
    import binascii
    import json

    check_token_text(token)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise BadRequest(INVALID_SKIPTOKEN_MESSAGE) from None
    if len(raw) < 1 + _NONCE + _TAG or raw[0] != _VERSION:
        raise BadRequest(INVALID_SKIPTOKEN_MESSAGE)
    from cryptography.exceptions import InvalidTag

    nonce, sealed = raw[1 : 1 + _NONCE], raw[1 + _NONCE :]
    try:
        plaintext = _cipher(paging.key).decrypt(nonce, sealed, _associated_data(paging, bound_to))
        position = json.loads(plaintext.decode("utf-8", "surrogatepass"))
    except (InvalidTag, ValueError, RecursionError):
        raise BadRequest(INVALID_SKIPTOKEN_MESSAGE) from None
    if not ordering.is_position(position):
        raise BadRequest(INVALID_SKIPTOKEN_MESSAGE)
    return list(position)
