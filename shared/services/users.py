"""Who a request is about: the permission check first, then the `{user}` lookup (contract §4-§5)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.auth import Principal, authorize
from shared.directory.port import Directory
from shared.errors import NotFound
from shared.ids import is_guid
from shared.models import DirectoryUser

_MAX_USER_REF = 256
USER_NOT_FOUND = "The user does not exist or one of its queried reference-property objects are not present."


@dataclass(frozen=True)
class Target:
    """The user whose data a request touches. `own` is True when that is the caller.

    `user` is the directory's entry: the account facet's read-only directory properties
    (userPrincipalName, ageGroup, userPersona, originTenantInfo) come from it.
    """

    tenant_id: str
    object_id: str
    own: bool
    user: DirectoryUser


def resolve_target(directory: Directory, principal: Principal, ref: str, *, write: bool) -> Target:
    """Check the caller's permission for `ref` ("me" or the route's {user}), then find that user.

    The permission check needs no I/O and comes first, so a caller without a `.All` permission
    learns nothing about other users (403, never 404) and costs no directory call. A `ref` that is
    neither a GUID nor a UPN (contains '@'), or is over 256 characters, is 404 without a lookup; so
    is a user the directory does not know. A UPN that turns out to be the caller's is the caller's data.
    """
    own = authorize(principal, write=write, target=ref)
    directory.remember(principal)
    if own:
        return Target(principal.tenant_id, principal.object_id, True, directory.caller(principal))
    if len(ref) > _MAX_USER_REF:
        raise user_not_found()
    found: DirectoryUser | None = None
    if is_guid(ref):
        found = directory.by_id(principal.tenant_id, ref.lower())
    elif "@" in ref:
        found = directory.by_upn(principal.tenant_id, ref)
    if found is None:
        raise user_not_found()
    return Target(principal.tenant_id, found.object_id, found.object_id == principal.object_id, found)


def user_not_found() -> NotFound:
    """404 `itemNotFound` for a `{user}` that names nobody (Graph's message)."""
    return NotFound(USER_NOT_FOUND)
