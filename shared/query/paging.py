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

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from shared.errors import BadRequest
from shared.facets.model import FacetType
from shared.query.model import MAX_FILTER_WORK, MAX_SKIPTOKEN_LENGTH, ListPage, ListQuery, Paging
from shared.query.ordering import Ordering
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
    query: ListQuery, items: Sequence[Mapping[str, Any]], *, facet_type: FacetType, paging: Paging
) -> ListPage:
    """The page `query` asks for, from `items` (the facets the caller may see, as wire bodies)."""
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
    page = rows[start : start + query.top]
    more = start + query.top < len(rows)
    token = seal_token(page[-1][1], paging, _bound_to(query, facet_type)) if more else None
    return ListPage(
        items=[project(body, query.select) for _, _, body in page if body is not None],
        next_skiptoken=token,
        count=len(matching) if query.count else None,
    )


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
