"""The profile resource (contract §1-§2): it exists implicitly for every user, with a derived id.

POST sets the stored marker (409 the second time), GET never 404s for a user, DELETE removes the
marker with every facet of every collection, and `$expand` reads any set of collections in one
store round trip.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.auth import Principal
from shared.facets.model import FacetType
from shared.models import PROFILE_ODATA_TYPE, profile_id
from shared.repository import ProfileRepository
from shared.services.facets import FacetResult, expanded
from shared.services.users import Target


def profile_body(target: Target) -> dict[str, Any]:
    """The profile entity: its type and its id (the same before and after POST, and after DELETE)."""
    return {"@odata.type": PROFILE_ODATA_TYPE, "id": profile_id(target.tenant_id, target.object_id)}


def create_profile(repo: ProfileRepository, target: Target) -> dict[str, Any]:
    """Set the stored profile; Conflict if it was already created (by POST or by a facet's create)."""
    repo.create_profile(target.tenant_id, target.object_id)
    return profile_body(target)


def expand_profile(
    repo: ProfileRepository, principal: Principal, target: Target, facet_types: Mapping[str, FacetType]
) -> dict[str, list[FacetResult]]:
    """The visible facets of each expanded collection, in the default order (createdDateTime, id)."""
    found = expanded(repo, principal, target, facet_types)
    return {
        name: sorted(items, key=lambda item: (str(item.body.get("createdDateTime")), item.facet_id))
        for name, items in found.items()
    }


def delete_profile(repo: ProfileRepository, target: Target) -> None:
    """Delete the stored profile with every facet of every collection (204 even when nothing was stored)."""
    repo.delete_profile(target.tenant_id, target.object_id)
