"""Delta query (contract §12): Graph's change-tracking protocol over every collection, per user and tenant-wide.

A round is a walk of pages. Each page is one `read_changes` of the repository (one store round trip);
every page but the last carries `@odata.nextLink` (`$skiptoken`), the last `@odata.deltaLink`
(`$deltatoken`), never both. Calling the deltaLink starts the next round: only what changed since.

Tokens are opaque: AES-256-GCM under a key derived (HMAC-SHA256) from the deployment's paging secret
for this purpose only, with the caller, the user (or the tenant) and the collections as associated
data. The plaintext — sealed, so authenticated too — carries the store's cursor and page position,
the `$select` of the round's first call and the time the cursor was taken. A token that is altered,
truncated, from another caller, user, tenant or collection is 400; one whose cursor is older than the
retention window is 400 `syncStateNotFound` (Graph's message), so the client restarts a full sync.

Visibility is decided on every page (contract §4): a changed item the caller may not see — its
audiences narrowed, or never shared with this caller — comes as `@removed`, like a deleted one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from shared.auth import Principal, authorize, sees_all_facets
from shared.errors import BadRequest, SyncStateNotFound
from shared.facets.common import is_shared
from shared.facets.model import FacetType
from shared.facets.wire import to_wire
from shared.models import DirectoryUser
from shared.query.model import MAX_SKIPTOKEN_LENGTH, MAX_TOP
from shared.query.params import read_options
from shared.query.selecting import parse_facet_select, project
from shared.repository import ChangeStore
from shared.repository.changes import RETENTION_S, Change, InvalidCursor
from shared.services.users import Target

#: Graph's message for a delta token older than the retention window (or one the store no longer knows).
SYNC_STATE_NOT_FOUND: Final = (
    "The sync state generation is not found. The delta token is expired and data must be synchronized again."
)
INVALID_TOKEN: Final = "The {option} is not valid for this request."  # noqa: S105  # a message, not a secret
#: The options a delta call accepts; everything else that is an OData option is 400.
DELTA_OPTIONS: Final = ("$select", "$skiptoken", "$deltatoken")
#: Options Graph's delta resources refuse: named in the 400 so the client knows why.
_REFUSED: Final = ("$filter", "$orderby", "$expand", "$skip", "$count", "$top", "$search")
#: `$deltatoken=latest`: no items, a deltaLink from now.
LATEST: Final = "latest"
_VERSION: Final = 1
_NONCE, _TAG = 12, 16
_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_PURPOSE: Final = b"profile-api delta token v1"


@dataclass(frozen=True)
class DeltaOptions:
    """The options of one delta call."""

    #: Canonical property names, or None for every property (`$select` of a first call only).
    select: tuple[str, ...] | None
    skiptoken: str | None
    deltatoken: str | None


@dataclass(frozen=True)
class DeltaPage:
    """One page of a round: wire items (full or `@removed`), then a nextLink token or a deltaLink token."""

    items: list[dict[str, Any]]
    next_token: str | None
    delta_token: str | None


@dataclass(frozen=True)
class Feed:
    """What a round is about: one user (`target`) or the tenant (`target` None), and its collections."""

    tenant_id: str
    target: Target | None
    facet_types: tuple[FacetType, ...]

    @property
    def tenant_wide(self) -> bool:
        return self.target is None


def parse_delta_options(params: Mapping[str, str], facet_types: Sequence[FacetType]) -> DeltaOptions:
    """The options of a delta call; 400 naming what delta does not support."""
    for name in params:
        canonical = _canonical(name)
        if canonical in _REFUSED:
            raise BadRequest(f"The query option '{canonical}' is not supported with delta query.")
    options = read_options(params, DELTA_OPTIONS)
    skiptoken, deltatoken = options.get("$skiptoken"), options.get("$deltatoken")
    if skiptoken is not None and deltatoken is not None:
        raise BadRequest("$skiptoken and $deltatoken cannot be combined: each holds the position of a round.")
    if skiptoken is not None:
        _check_text(skiptoken, "$skiptoken")
    if deltatoken is not None and deltatoken != LATEST:
        _check_text(deltatoken, "$deltatoken")
    select = None
    if "$select" in options:
        for facet_type in facet_types:  # every collection of the feed must know each name
            select = parse_facet_select(options["$select"], facet_type)
    return DeltaOptions(select=select, skiptoken=skiptoken, deltatoken=deltatoken)


def authorize_tenant_read(principal: Principal) -> None:
    """The permission to read every user's facets (contract §4, "another user's data"): app roles
    User.Read.All / User.ReadWrite.All, delegated User.ReadBasic.All / User.Read.All / User.ReadWrite.All."""
    authorize(principal, write=False, target="*")


def run_round(
    repo: ChangeStore,
    principal: Principal,
    feed: Feed,
    options: DeltaOptions,
    *,
    key: bytes,
    page_size: int = MAX_TOP,
    now: Callable[[], float] = time.time,
) -> DeltaPage:
    """One page of a delta round, as `options` asks: a first call, a nextLink or a deltaLink."""
    binding = _binding(principal, feed)
    clock = int(now())
    since: Any = None
    since_issued: int | None = None  # when the cursor `since` was taken (its age decides syncStateNotFound)
    after: Any = None
    round_start = clock
    select = options.select
    paging = options.skiptoken is not None
    token_option = "$skiptoken" if paging else "$deltatoken"
    token = options.skiptoken if paging else options.deltatoken
    oid = feed.target.object_id if feed.target is not None else None
    if not paging and options.deltatoken == LATEST:
        cursor = repo.latest_cursor(feed.tenant_id, oid, feed.facet_types)
        return DeltaPage([], None, _seal({"k": "d", "c": cursor, "ct": clock, "sel": _list(select)}, key, binding))
    if token is not None:
        state = _open(token, key, binding, token_option)
        if options.select is not None and _list(options.select) != state.get("sel"):
            raise BadRequest("$select cannot change within a delta round: the token carries the first call's.")
        select = tuple(state["sel"]) if state.get("sel") is not None else None
        issued = state.get("ct")
        since_issued = issued if isinstance(issued, int) and not isinstance(issued, bool) else None
        if since_issued is not None and clock - since_issued > RETENTION_S:
            raise SyncStateNotFound(SYNC_STATE_NOT_FOUND)
        if state["k"] == "d":
            since = state["c"]
        else:
            since, after, round_start = state["c"], state["a"], state["rt"]
    while True:
        try:
            page = repo.read_changes(feed.tenant_id, oid, feed.facet_types, since=since, after=after, limit=page_size)
        except InvalidCursor:  # a cursor this store did not issue (e.g. sealed before a change of store)
            raise SyncStateNotFound(SYNC_STATE_NOT_FOUND) from None
        items = _items(page.changes, principal, feed, select, first=since is None)
        if items or page.after is None:
            break
        after = page.after  # a first round's page of items hidden from this caller: read on (never an empty page)
    if page.after is not None:
        state_next = {
            "k": "p",
            "c": since,
            "ct": since_issued,
            "a": page.after,
            "rt": round_start,
            "sel": _list(select),
        }
        return DeltaPage(items, _seal(state_next, key, binding), None)
    state_delta = {"k": "d", "c": page.cursor, "ct": round_start, "sel": _list(select)}
    return DeltaPage(items, None, _seal(state_delta, key, binding))


def item_id(object_id: str, collection: str, facet_id: str) -> str:
    """`@odata.id` of a facet in the tenant-wide feed: `users('{oid}')/profile/{collection}('{id}')`."""
    quoted = facet_id.replace("'", "''")
    return f"users('{object_id}')/profile/{collection}('{quoted}')"


# --- items ---------------------------------------------------------------------------------------
def _items(
    changes: Sequence[Change], principal: Principal, feed: Feed, select: tuple[str, ...] | None, *, first: bool
) -> list[dict[str, Any]]:
    """The wire items of a page; a first round leaves out what the caller may not see, a later round
    says `@removed` for it (the caller may hold it from before its audiences narrowed)."""
    by_name = {facet_type.collection: facet_type for facet_type in feed.facet_types}
    latest: dict[tuple[str, str, str], Change] = {}
    for change in changes:  # the same facet twice on a page (deleted, then stored again): its last state
        latest[(change.object_id, change.collection, change.facet_id)] = change
    items = []
    for change in changes:
        if latest[(change.object_id, change.collection, change.facet_id)] is not change:
            continue
        facet_type = by_name.get(change.collection)
        if facet_type is None:
            continue
        item = _item(change, facet_type, principal, feed, select)
        if not (first and "@removed" in item):
            items.append(item)
    return items


def _item(
    change: Change, facet_type: FacetType, principal: Principal, feed: Feed, select: tuple[str, ...] | None
) -> dict[str, Any]:
    head: dict[str, Any] = {}
    if feed.tenant_wide:
        head["@odata.id"] = item_id(change.object_id, change.collection, change.facet_id)
        if len(feed.facet_types) > 1:
            head["@odata.type"] = f"#{facet_type.qualified}"
    if change.facet is None:
        return {**head, "id": change.facet_id, "@removed": {"reason": "deleted"}}
    own = (
        feed.target.own
        if feed.target is not None
        else (not principal.is_app and change.object_id == principal.object_id)
    )
    if not (sees_all_facets(principal, own=own) or is_shared(change.facet)):
        return {**head, "id": change.facet_id, "@removed": {"reason": "changed"}}
    user = (
        feed.target.user
        if feed.target is not None
        else DirectoryUser(tenant_id=feed.tenant_id, object_id=change.object_id)
    )
    return {**head, **project(to_wire(facet_type, change.facet, user), select)}


# --- tokens --------------------------------------------------------------------------------------
def _binding(principal: Principal, feed: Feed) -> bytes:
    import json

    caller = principal.caller_id
    target = feed.target.object_id if feed.target is not None else "*"
    collections = [facet_type.collection for facet_type in feed.facet_types]
    return json.dumps([_VERSION, feed.tenant_id, caller, target, collections], ensure_ascii=True).encode("ascii")


def _list(select: tuple[str, ...] | None) -> list[str] | None:
    return None if select is None else list(select)


@lru_cache(maxsize=8)
def _cipher(key: bytes) -> Any:
    import hashlib
    import hmac

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(hmac.new(key, _PURPOSE, hashlib.sha256).digest())


def _seal(state: dict[str, Any], key: bytes, binding: bytes) -> str:
    import base64
    import json
    import os

    plaintext = json.dumps(state, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    nonce = os.urandom(_NONCE)
    sealed = _cipher(key).encrypt(nonce, plaintext, binding)
    return base64.urlsafe_b64encode(bytes([_VERSION]) + nonce + sealed).rstrip(b"=").decode("ascii")


def _check_text(token: str, option: str) -> None:
    if not token or len(token) > MAX_SKIPTOKEN_LENGTH or token.strip(_ALPHABET):
        raise BadRequest(INVALID_TOKEN.format(option=option))


def _open(token: str, key: bytes, binding: bytes, option: str) -> dict[str, Any]:
    import base64
    import binascii
    import json

    from cryptography.exceptions import InvalidTag

    invalid = BadRequest(INVALID_TOKEN.format(option=option))
    _check_text(token, option)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise invalid from None
    if len(raw) < 1 + _NONCE + _TAG or raw[0] != _VERSION:
        raise invalid
    try:
        plaintext = _cipher(key).decrypt(raw[1 : 1 + _NONCE], raw[1 + _NONCE :], binding)
        state = json.loads(plaintext.decode("utf-8"))
    except (InvalidTag, ValueError, RecursionError):
        raise invalid from None
    kind = state.get("k") if isinstance(state, dict) else None
    if kind not in ("p", "d") or (kind == "d") != (option == "$deltatoken"):
        raise invalid  # a nextLink's token as a deltatoken (or the reverse) was not issued for this
    if kind == "p" and not isinstance(state.get("rt"), int):
        raise invalid
    return state


def _canonical(name: object) -> str | None:
    if not isinstance(name, str):
        return None
    lower = name.lower()
    return lower if lower.startswith("$") else f"${lower}"
