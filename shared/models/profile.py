"""The profile resource, and the generic shapes the repository returns."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

PROFILE_ODATA_TYPE = "#microsoft.graph.profile"
#: Namespace of profile ids: uuid5(namespace, "{tenant}:{object id}") (contract §1: stable, derived).
_PROFILE_NAMESPACE = uuid.UUID("0b7d9a2e-3f4c-5d6e-8f90-a1b2c3d4e5f6")


def profile_id(tenant_id: str, object_id: str) -> str:
    """The user's profile id: the same before and after POST, and again after DELETE."""
    return str(uuid.uuid5(_PROFILE_NAMESPACE, f"{tenant_id.lower()}:{object_id.lower()}"))


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """A stored value with its entity tag (changes on every write)."""

    value: T
    etag: str


@dataclass(frozen=True)
class IdempotencyRecord:
    """The stored outcome of a create sent with an Idempotency-Key.

    `key` is already scoped to the caller and hashed by the service; `fingerprint` is a hash of the
    request (method, path, body). `response` is the original 201 body; `expires_at` is epoch seconds.
    """

    key: str
    fingerprint: str
    resource_id: str
    response: dict[str, Any] = field(default_factory=dict)
    expires_at: int = 0
