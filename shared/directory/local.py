"""DIRECTORY=local (the default, and what `make run` uses): the users this service has seen (§5).

A delegated token tells the service its caller's UPN and display name; they are recorded in the
repository, so `users/{upn}` resolves for any user who has called. Any GUID names a user directly
(data is keyed on tenant and object id). ageGroup, userPersona and originTenantInfo are unknown.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from shared.auth import Principal
from shared.directory.port import token_entry
from shared.models import DirectoryUser
from shared.repository import UserStore


class _SeenCallers:
    """Callers already recorded by this process, so steady-state requests cost no repository write."""

    def __init__(self, size: int) -> None:
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


class LocalDirectory:
    """The repository's records of seen callers, as a directory."""

    def __init__(self, repo: UserStore, *, remembered: int = 10_000) -> None:
        self._repo = repo
        self._seen = _SeenCallers(remembered)

    def remember(self, principal: Principal) -> None:
        """Record a delegated caller's UPN and name, once per change per process."""
        if principal.is_app or not principal.upn:
            return
        entry = token_entry(principal)
        if self._seen.is_current(entry):
            return
        self._repo.record_user(entry)
        self._seen.mark(entry)

    def caller(self, principal: Principal) -> DirectoryUser:
        return token_entry(principal)

    def by_id(self, tenant_id: str, object_id: str) -> DirectoryUser:
        """Never None: a GUID names a user directly (what the service has seen of it, if anything)."""
        return self._repo.get_user(tenant_id, object_id) or DirectoryUser(tenant_id=tenant_id, object_id=object_id)

    def by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        return self._repo.find_user_by_upn(tenant_id, upn)
