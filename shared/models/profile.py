"""The profile resource, and the generic shapes the repository returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")

PROFILE_ODATA_TYPE = "#microsoft.graph.profile"


class Profile(BaseModel):
    """One per user. `id` is a GUID the server assigns."""

    model_config = ConfigDict(frozen=True)

    id: str
    createdDateTime: str


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """A stored value with its entity tag (changes on every write)."""

    value: T
    etag: str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list. `cursor` is opaque; pass it back to get the next page (None: no more)."""

    items: list[T]
    cursor: str | None = None


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
