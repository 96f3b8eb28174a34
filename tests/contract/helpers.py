"""Builders for the contract suite: stored facets of several types, users and idempotency records."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from shared.facets.catalog.account import ACCOUNT
from shared.facets.catalog.work import POSITIONS, SKILLS
from shared.facets.model import FacetType
from shared.facets.wire import to_store
from shared.models import DirectoryUser, IdempotencyRecord

T = TypeVar("T")

#: The facet types the suite runs every facet test on: a directory-backed one and two plain ones.
SAMPLE_TYPES: tuple[FacetType, ...] = (ACCOUNT, SKILLS, POSITIONS)

_BASE = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
_counter = itertools.count(1)


def stamp(offset_us: int = 0) -> str:
    """An ISO timestamp in the service's format (7 fractional digits, Z)."""
    moment = _BASE + timedelta(microseconds=offset_us)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def guid() -> str:
    return str(uuid.uuid4())


def _own_values(facet_type: FacetType, n: int) -> dict[str, Any]:
    """Values for the type's own properties, nested ones included, that differ with `n`."""
    if facet_type.collection == "account":
        language = {"locale": "nb-NO", "displayName": "Bokmål"}
        return {"countryCode": ("NO", "SE", "DK")[n % 3], "preferredLanguageTag": language}
    if facet_type.collection == "positions":
        return {
            "categories": ["engineering", f"team-{n}"],
            "detail": {"jobTitle": f"Engineer {n}", "company": {"displayName": "Contoso", "department": "R&D"}},
            "isCurrent": n % 2 == 0,
        }
    return {"displayName": f"Skill {n} — ünïcødé", "categories": ["tools"], "proficiency": "advancedProfessional"}


def facet(facet_type: FacetType, facet_id: str | None = None, **values: Any) -> dict[str, Any]:
    """A stored facet of `facet_type` (`to_store`), as the service builds it for a create."""
    n = next(_counter)
    created = stamp(n)
    who = {"application": None, "device": None, "user": {"id": guid(), "displayName": "Test"}}
    return to_store(
        facet_type,
        {
            "id": facet_id or guid(),
            "allowedAudiences": "me",
            "createdDateTime": created,
            "createdBy": who,
            "lastModifiedDateTime": created,
            "lastModifiedBy": who,
            "source": {"type": ["User"]},
            **_own_values(facet_type, n),
            **values,
        },
    )


def changed(stored: dict[str, Any], **values: Any) -> dict[str, Any]:
    """A copy of a stored facet with `values` set (what the service hands to replace_facet)."""
    return {**stored, "lastModifiedDateTime": stamp(next(_counter)), "isSearchable": True, **values}


def account(facet_id: str | None = None, **values: Any) -> dict[str, Any]:
    return facet(ACCOUNT, facet_id, **values)


def user(tenant: str, oid: str, upn: str | None, name: str | None = "Test User") -> DirectoryUser:
    return DirectoryUser(tenant_id=tenant, object_id=oid, user_principal_name=upn, display_name=name)


def record(key: str | None = None, *, resource_id: str = "r", ttl: int = 86400) -> IdempotencyRecord:
    """An idempotency record expiring `ttl` seconds from now (negative: already expired)."""
    return IdempotencyRecord(
        key=key or uuid.uuid4().hex,
        fingerprint=uuid.uuid4().hex,
        resource_id=resource_id,
        response={"id": resource_id, "displayName": "ü"},
        expires_at=int(time.time()) + ttl,
    )


def idempotency_record(repo: Any, tenant_id: str, object_id: str, key: str) -> IdempotencyRecord | None:
    """The unexpired idempotency record under `key`, read from the adapter's own layout.

    No port method reads one (no service needs to: a create meets its record in the same atomic step),
    so the contract suite looks at what each store holds.
    """
    from shared.repository.cosmos import documents as docs
    from shared.repository.sqlite import repository as sqlite_repository

    if isinstance(repo, sqlite_repository.SqliteRepository):
        rows = repo._store.read(sqlite_repository.SQL.idempotency_get, (tenant_id, object_id, key, int(time.time())))
        return sqlite_repository._record(rows[0]) if rows else None
    found = repo._store.read(docs.idempotency_doc_id(key), docs.user_pk(tenant_id, object_id))
    return docs.idempotency_from(found)


def together(count: int, work: Callable[[int], T]) -> list[T]:
    """`work(0)` ... `work(count - 1)`, each on its own thread, all released at once; their results in order."""
    start = threading.Barrier(count)

    def run(n: int) -> T:
        start.wait()
        return work(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))
