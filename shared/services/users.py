"""Who a request is about: the permission check first, then the `{user}` lookup (contract §4-§5)."""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

from shared.auth import Principal, authorize
from shared.errors import NotFound
from shared.ids import is_guid
from shared.models import DirectoryUser
from shared.repository import ProfileRepository

_MAX_USER_REF = 256


@dataclass(frozen=True)
class Target:
    """The user whose data a request touches. `own` is True when that is the caller."""

    tenant_id: str
    object_id: str
    own: bool
    user: DirectoryUser


def resolve_target(repo: ProfileRepository, principal: Principal, ref: str, *, write: bool) -> Target:
    """Check the caller's permission for `ref` ("me" or the route's {user}), then find that user.

    The permission check needs no I/O and comes first, so a caller without a `.All` permission
    learns nothing about other users (403, never 404). An object id names a user directly (data is
    keyed on tenant and object id; the service is not the directory); a UPN must be one the service
    has seen (§5). Anything else, or over 256 characters, is 404.
    """
    own = authorize(principal, write=write, target=ref)
    remember_caller(repo, principal)
    if own:
        return Target(principal.tenant_id, principal.object_id, True, caller_entry(principal))
    if len(ref) > _MAX_USER_REF:
        raise _unknown_user()
    if is_guid(ref):
        oid = ref.lower()
        user = repo.get_user(principal.tenant_id, oid) or DirectoryUser(tenant_id=principal.tenant_id, object_id=oid)
        return Target(principal.tenant_id, oid, False, user)
    if "@" in ref:
        found = repo.find_user_by_upn(principal.tenant_id, ref)
        if found is not None:
            return Target(principal.tenant_id, found.object_id, found.object_id == principal.object_id, found)
    raise _unknown_user()


def caller_entry(principal: Principal) -> DirectoryUser:
    """The directory entry a delegated token describes (an app-only caller has no UPN)."""
    return DirectoryUser(
        tenant_id=principal.tenant_id,
        object_id=principal.object_id,
        user_principal_name=None if principal.is_app else principal.upn,
        display_name=None if principal.is_app else principal.display_name,
    )


class _SeenCallers:
    """Callers already recorded by this process, so steady-state requests cost no directory write."""

    def __init__(self, size: int = 10_000) -> None:
        self._seen: OrderedDict[tuple[str, str], tuple[str | None, str | None]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def is_current(self, user: DirectoryUser) -> bool:
        with self._lock:
            key = (user.tenant_id, user.object_id)
            if self._seen.get(key) == (user.user_principal_name, user.display_name):
                self._seen.move_to_end(key)
                return True
            return False

    def mark(self, user: DirectoryUser) -> None:
        with self._lock:
            self._seen[(user.tenant_id, user.object_id)] = (user.user_principal_name, user.display_name)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)


_SEEN: weakref.WeakKeyDictionary[object, _SeenCallers] = weakref.WeakKeyDictionary()
_SEEN_LOCK = threading.Lock()


def _seen_by(repo: ProfileRepository) -> _SeenCallers:
    with _SEEN_LOCK:
        return _SEEN.setdefault(repo, _SeenCallers())


def remember_caller(repo: ProfileRepository, principal: Principal) -> None:
    """Record a delegated caller's UPN and name (§5), once per change per process."""
    if principal.is_app or not principal.upn:
        return
    entry = caller_entry(principal)
    seen = _seen_by(repo)
    if seen.is_current(entry):
        return
    repo.record_user(entry)
    seen.mark(entry)


def _unknown_user() -> NotFound:
    return NotFound("The user does not exist or one of its queried reference-property objects are not present.")
