"""The facet collections (all of them, one code path): create (idempotent), list, get, update, delete.

Services see a resolved `Target` (the permission check and the user lookup happened first, in
shared/services/users.py) and a `FacetType`; they never name a facet's properties.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from shared import query
from shared.auth import Principal, sees_all_facets
from shared.errors import (
    FacetNotFound,
    IdempotencyReplay,
    PreconditionFailed,
    ServiceUnavailable,
    StaleFacet,
    Unprocessable,
)
from shared.facets.common import is_shared
from shared.facets.model import FacetType
from shared.facets.validate import validate_create, validate_patch
from shared.facets.wire import to_store, to_wire
from shared.models import IdempotencyRecord, Versioned
from shared.repository import Facet, FacetStore, IfMatch, etag_matches
from shared.services.clock import graph_timestamp
from shared.services.users import Target

IDEMPOTENCY_TTL_S = 24 * 3600
#: PATCH without If-Match re-reads and retries when another write got in between (contract: concurrent
#: patches of different properties all land). Jittered back-off; past the budget, 503 with Retry-After.
PATCH_ATTEMPTS = 12
_BACKOFF_S = (0.0, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.05, 0.08, 0.1, 0.1)
_MAX_ID = 256


@dataclass(frozen=True)
class FacetResult:
    """One facet as the API returns it: the wire body, its ETag and where it lives."""

    object_id: str
    facet_id: str
    body: dict[str, Any]
    etag: str | None


@dataclass(frozen=True)
class IdempotentRequest:
    """A create sent with an Idempotency-Key: the key and a fingerprint of the request."""

    key: str
    fingerprint: str


def create_facet(  # noqa: PLR0913  # the request's parts; the limits are keywords
    repo: FacetStore,
    principal: Principal,
    target: Target,
    facet_type: FacetType,
    doc: object,
    *,
    max_count: int,
    idempotent: IdempotentRequest | None = None,
    max_bytes: int | None = None,
) -> FacetResult:
    """Validate and store a new facet (and the profile marker, if the user had none); at most `max_count`
    in the collection (403) and `max_bytes` of facets for the user (507; contract §2.6)."""
    values = validate_create(facet_type, doc)
    now = graph_timestamp()
    who = principal.identity_set()
    facet_id = str(uuid.uuid4())
    stored = to_store(
        facet_type,
        {
            **values,
            "id": facet_id,
            "createdDateTime": now,
            "createdBy": who,
            "lastModifiedDateTime": now,
            "lastModifiedBy": who,
        },
    )
    body = to_wire(facet_type, stored, target.user)
    record = None
    if idempotent is not None:
        record = IdempotencyRecord(
            key=_scoped_key(principal, target, idempotent.key),
            fingerprint=idempotent.fingerprint,
            resource_id=facet_id,
            response=body,
            expires_at=int(time.time()) + IDEMPOTENCY_TTL_S,
        )
    try:
        saved = repo.add_facet(
            target.tenant_id,
            target.object_id,
            facet_type,
            stored,
            max_count=max_count,
            idempotency=record,
            max_bytes=max_bytes,
        )
    except IdempotencyReplay as replay:
        return _replay(repo, target, facet_type, replay.record, idempotent)
    return FacetResult(target.object_id, facet_id, body, saved.etag)


def visible_facets(
    principal: Principal, target: Target, facet_type: FacetType, items: list[Versioned[Facet]]
) -> list[FacetResult]:
    """The wire bodies of the facets the caller may see (contract §4), in store order."""
    sees_all = sees_all_facets(principal, own=target.own)
    return [_result(target, facet_type, item) for item in items if sees_all or is_shared(item.value)]


def list_facets(repo: FacetStore, principal: Principal, target: Target, facet_type: FacetType) -> list[FacetResult]:
    """Every facet of the collection the caller may see (the query options are applied by shared.query)."""
    found = repo.list_facets(target.tenant_id, target.object_id, [facet_type])
    return visible_facets(principal, target, facet_type, found[facet_type.collection])


def paging_scope(principal: Principal, target: Target, facet_type: FacetType) -> str:
    """What a paging token is bound to: the caller, the user whose data it is, the collection."""
    return f"{principal.tenant_id}|{principal.caller_id}|{target.object_id}|{facet_type.collection}"


def list_page(
    repo: FacetStore,
    principal: Principal,
    target: Target,
    facet_type: FacetType,
    options: query.ListQuery,
    *,
    paging_key: bytes,
    limits: query.PageLimits,
) -> query.ListPage:
    """The page of the collection that `options` ask for, among the facets the caller may see, within
    `limits` (items and bytes); `next_skiptoken` continues after its last item."""
    visible = list_facets(repo, principal, target, facet_type)
    paging = query.Paging(key=paging_key, scope=paging_scope(principal, target, facet_type))
    items = query.PageLimits(limits.max_items, max(0, limits.max_bytes - query.LIST_ENVELOPE_BYTES))
    return query.run_list(options, [item.body for item in visible], facet_type=facet_type, paging=paging, limits=items)


def get_facet(
    repo: FacetStore, principal: Principal, target: Target, facet_type: FacetType, facet_id: str
) -> FacetResult:
    """One facet; NotFound if absent or hidden from the caller."""
    return _result(target, facet_type, _load(repo, principal, target, facet_type, facet_id))


def update_facet(  # noqa: PLR0913  # the request's parts; the precondition and the limit are keywords
    repo: FacetStore,
    principal: Principal,
    target: Target,
    facet_type: FacetType,
    facet_id: str,
    doc: object,
    *,
    if_match: IfMatch,
    max_bytes: int | None = None,
) -> FacetResult:
    """Apply a partial update. With If-Match the caller's version must be current (else 412); without
    it the last writer wins per property, re-reading and retrying when another write got in between.
    A facet that grows the user's facets past `max_bytes` is 507 (contract §2.6)."""
    for attempt in range(PATCH_ATTEMPTS):
        current = _load(repo, principal, target, facet_type, facet_id)
        if not etag_matches(if_match, current.etag):
            raise StaleFacet()
        changes = validate_patch(facet_type, doc, to_wire(facet_type, current.value, target.user))
        updated = {
            **current.value,
            **changes,
            "lastModifiedDateTime": graph_timestamp(),
            "lastModifiedBy": principal.identity_set(),
        }
        try:
            stored = repo.replace_facet(
                target.tenant_id,
                target.object_id,
                facet_type,
                updated,
                if_match=(current.etag,),
                max_bytes=max_bytes,
            )
        except PreconditionFailed:
            if if_match not in (None, "*"):
                raise
            _pause(attempt)
            continue
        return _result(target, facet_type, stored)
    raise ServiceUnavailable("The facet kept changing while it was being updated. Try again.", retry_after=1)


def delete_facet(
    repo: FacetStore,
    principal: Principal,
    target: Target,
    facet_type: FacetType,
    facet_id: str,
    *,
    if_match: IfMatch,
) -> None:
    """Delete one facet (If-Match honoured); a facet hidden from the caller is NotFound."""
    _load(repo, principal, target, facet_type, facet_id)
    repo.delete_facet(target.tenant_id, target.object_id, facet_type, facet_id, if_match=if_match)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """A hash of what makes two creates "the same request" for idempotency."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.lower().encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _scoped_key(principal: Principal, target: Target, key: str) -> str:
    return hashlib.sha256(f"{principal.tenant_id}|{principal.caller_id}|{target.object_id}|{key}".encode()).hexdigest()


def _replay(
    repo: FacetStore,
    target: Target,
    facet_type: FacetType,
    record: IdempotencyRecord,
    idempotent: IdempotentRequest | None,
) -> FacetResult:
    if idempotent is None or record.fingerprint != idempotent.fingerprint:
        raise Unprocessable("The Idempotency-Key was already used for a different request.")
    current = repo.get_facet(target.tenant_id, target.object_id, facet_type, record.resource_id)
    # The replayed body is the original one: its ETag only while the facet still reads back the same
    # (an ETag of a later version beside the original body would let a stale If-Match succeed).
    etag = None
    if current is not None and to_wire(facet_type, current.value, target.user) == record.response:
        etag = current.etag
    return FacetResult(target.object_id, record.resource_id, record.response, etag)


def _load(
    repo: FacetStore, principal: Principal, target: Target, facet_type: FacetType, facet_id: str
) -> Versioned[Facet]:
    found = (
        repo.get_facet(target.tenant_id, target.object_id, facet_type, facet_id) if len(facet_id) <= _MAX_ID else None
    )
    if found is None or not (sees_all_facets(principal, own=target.own) or is_shared(found.value)):
        raise FacetNotFound()
    return found


def _result(target: Target, facet_type: FacetType, item: Versioned[Facet]) -> FacetResult:
    body = to_wire(facet_type, item.value, target.user)
    return FacetResult(target.object_id, str(item.value.get("id")), body, item.etag)


def _pause(attempt: int) -> None:
    delay = _BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)]
    if delay:
        time.sleep(delay * (0.5 + random.random()))  # noqa: S311  # jitter, not a secret


def scan_visible(
    repo: FacetStore, principal: Principal, target: Target, facet_types: Mapping[str, FacetType]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, wire body) of every facet of the named collections (name -> type) that the caller may see,
    from one store read, as the store hands them over (in no particular order, never all held here)."""
    names = {facet_type.collection: name for name, facet_type in facet_types.items()}
    sees_all = sees_all_facets(principal, own=target.own)
    for collection, item in repo.scan_facets(target.tenant_id, target.object_id, list(facet_types.values())):
        if sees_all or is_shared(item.value):
            name = names[collection]
            yield name, to_wire(facet_types[name], item.value, target.user)
