"""The directory port (contract §5): where the users that `{user}` names come from.

Two adapters, picked by DIRECTORY in the composition root: `local` (shared/directory/local.py, the
users this service has seen) and `graph` (shared/directory/graph.py, Microsoft Graph). Both return
`DirectoryUser`s of the caller's tenant, raise only `shared.errors` (503 `ServiceUnavailable` when the
directory cannot answer), and are safe to share between threads.
"""

from __future__ import annotations

from typing import Protocol

from shared.auth import Principal
from shared.models import DirectoryUser


class Directory(Protocol):
    """Looks users up; never called before the permission check (shared/services/users.py)."""

    def remember(self, principal: Principal) -> None:
        """A caller made a request. The local directory records a delegated caller's UPN and name."""

    def caller(self, principal: Principal) -> DirectoryUser:
        """The delegated caller's own entry (`me`, or `{user}` naming the caller)."""

    def by_id(self, tenant_id: str, object_id: str) -> DirectoryUser | None:
        """The user with this object id (a lower-case GUID), or None when the directory has none."""

    def by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        """The user with this UPN, compared case-insensitively, or None when the directory has none."""


def token_entry(principal: Principal) -> DirectoryUser:
    """The entry a delegated token describes: UPN and name from its claims (an app-only caller has none)."""
    return DirectoryUser(
        tenant_id=principal.tenant_id,
        object_id=principal.object_id,
        user_principal_name=None if principal.is_app else principal.upn,
        display_name=None if principal.is_app else principal.display_name,
    )
