"""The profile resource: create, read, delete (contract §1-§2)."""
from __future__ import annotations

import uuid

from shared.auth import Principal
from shared.errors import NotFound
from shared.models import Profile
from shared.repository import ProfileRepository
from shared.services.clock import graph_timestamp
from shared.services.users import Target, resolve_target


def new_profile() -> Profile:
    """A profile with a fresh id, created now."""
    return Profile(id=str(uuid.uuid4()), createdDateTime=graph_timestamp())


def create_profile(repo: ProfileRepository, principal: Principal, ref: str) -> tuple[Target, Profile]:
    """Create the user's profile; Conflict if there is one already."""
    target = resolve_target(repo, principal, ref, write=True)
    return target, repo.create_profile(target.tenant_id, target.object_id, new_profile())


def get_profile(repo: ProfileRepository, principal: Principal, ref: str) -> tuple[Target, Profile]:
    """The user's profile; NotFound if none."""
    target = resolve_target(repo, principal, ref, write=False)
    profile = repo.get_profile(target.tenant_id, target.object_id)
    if profile is None:
        raise NotFound("The profile does not exist.")
    return target, profile


def delete_profile(repo: ProfileRepository, principal: Principal, ref: str) -> None:
    """Delete the profile and every facet with it."""
    target = resolve_target(repo, principal, ref, write=True)
    repo.delete_profile(target.tenant_id, target.object_id)
