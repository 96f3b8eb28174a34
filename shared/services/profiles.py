"""The profile resource (contract §1-§2): it exists implicitly for every user, with a derived id.

POST sets the stored marker (409 the second time), GET never 404s for a user, DELETE removes the
marker with every facet of every collection, and `$expand` reads any set of collections in one
store round trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared import query
from shared.auth import Principal
from shared.facets.model import FacetType
from shared.models import PROFILE_ODATA_TYPE, profile_id
from shared.repository import FacetStore, ProfileStore
from shared.services.facets import paging_scope, scan_visible
from shared.services.users import Target

#: Bytes of a profile response kept for its own properties (`@odata.context`, `@odata.type`, `id`).
PROFILE_ENVELOPE_BYTES = 1_024


def profile_body(target: Target) -> dict[str, Any]:
    """The profile entity: its type and its id (the same before and after POST, and after DELETE)."""
    return {"@odata.type": PROFILE_ODATA_TYPE, "id": profile_id(target.tenant_id, target.object_id)}


def create_profile(repo: ProfileStore, target: Target) -> dict[str, Any]:
    """Set the stored profile; Conflict if it was already created (by POST or by a facet's create)."""
    repo.create_profile(target.tenant_id, target.object_id)
    return profile_body(target)


def expand_profile(
    repo: FacetStore,
    principal: Principal,
    target: Target,
    facet_types: Mapping[str, FacetType],
    *,
    select: Mapping[str, tuple[str, ...] | None] | None = None,
    paging_key: bytes = b"",
    limits: query.PageLimits | None = None,
) -> dict[str, query.ListPage]:
    """The first page of each expanded collection: the visible facets in the default order
    (createdDateTime, id), projected by its nested `$select`, from one store read handed over as it
    is read: only what can still be on a page is kept.

    The response's byte bound (`limits.max_bytes`) is shared equally by the expanded collections,
    after their envelopes (`query.EXPANDED_ENVELOPE_BYTES` each); each page holds at most
    `limits.max_items` items, and at least one. A page's `next_skiptoken` continues on
    `.../profile/{collection}?$select=...` (the list route, same caller and user).
    """
    limits = limits or query.PageLimits()
    select = select or {}
    count = max(1, len(facet_types))
    share = max(0, limits.max_bytes - PROFILE_ENVELOPE_BYTES) // count - query.EXPANDED_ENVELOPE_BYTES
    each = query.PageLimits(max_items=limits.max_items, max_bytes=max(0, share))
    collections = {
        name: (facet_type, select.get(name), query.Paging(paging_key, paging_scope(principal, target, facet_type)))
        for name, facet_type in facet_types.items()
    }
    return query.first_pages(scan_visible(repo, principal, target, facet_types), collections, each)


def delete_profile(repo: ProfileStore, target: Target) -> None:
    """Delete the stored profile with every facet of every collection (204 even when nothing was stored)."""
    repo.delete_profile(target.tenant_id, target.object_id)
