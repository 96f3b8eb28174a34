"""What the service knows of a user from the directory (tokens it has seen)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DirectoryUser(BaseModel):
    """A user of one tenant. Keyed on (tenant_id, object_id); the UPN is only a way to find it."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    object_id: str
    user_principal_name: str | None = None
    display_name: str | None = None
    age_group: str | None = None
