"""The authenticated caller, as read from a validated access token."""
from __future__ import annotations

from dataclasses import dataclass

from shared.models import Identity, IdentitySet


@dataclass(frozen=True)
class Principal:
    """Who is calling: tenant, object id, delegated or app-only, and the granted permissions."""

    tenant_id: str
    object_id: str
    is_app: bool
    scopes: frozenset[str]
    roles: frozenset[str]
    app_id: str | None
    app_display_name: str | None
    upn: str | None
    display_name: str | None

    def identity_set(self) -> IdentitySet:
        """The caller as Graph's identitySet (`createdBy` / `lastModifiedBy`)."""
        if self.is_app:
            return IdentitySet(application=Identity(id=self.app_id, displayName=self.app_display_name))
        return IdentitySet(user=Identity(id=self.object_id, displayName=self.display_name))
