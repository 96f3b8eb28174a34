"""The authenticated caller, as read from a validated access token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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

    @property
    def caller_id(self) -> str | None:
        """Who the caller is for what it is bound to (paging and delta tokens, idempotency keys): the
        application for an app-only token, else the signed-in user."""
        return self.app_id if self.is_app else self.object_id

    def identity_set(self) -> dict[str, Any]:
        """The caller as Graph's identitySet (`createdBy` / `lastModifiedBy`), every member present."""
        if self.is_app:
            application = {"displayName": self.app_display_name, "id": self.app_id}
            return {"application": application, "device": None, "user": None}
        user = {"displayName": self.display_name, "id": self.object_id}
        return {"application": None, "device": None, "user": user}
