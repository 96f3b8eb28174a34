"""The repository port: everything the services ask of storage, as atomic domain operations.

One small Protocol per concern — `UserStore`, `ProfileStore`, `FacetStore`, `ChangeStore`,
`SecretStore` — and `ProfileRepository`, all of them, which both adapters (`sqlite`, `cosmos`)
implement; a service or the directory takes only the part it uses. Both pass one contract suite
(tests/contract). Keys are always (tenant_id, object_id), never a UPN. Errors raised are those of
`shared.errors`: `Conflict`, `PreconditionFailed`, `QuotaExceeded`, `Throttled`,
`ServiceUnavailable`, and the `IdempotencyReplay` signal; no SDK or sqlite3 exception leaves an adapter.

A facet is stored as a plain JSON object (`shared.facets.wire.to_store`): its stored properties,
`id` among them. Facets of every collection live side by side per user; `FacetType.collection`
tells them apart (Cosmos also uses `FacetType.prefix` in document ids).

Semantics every adapter guarantees:
- The stored profile is a marker: the profile itself exists implicitly for every user (contract §1),
  with an id derived from (tenant, object id). `create_profile` sets the marker (Conflict if set);
  `add_facet` sets it too when missing.
- `add_facet` is one atomic step: it refuses with `QuotaExceeded` when the user already has
  `max_count` facets in that collection, sets the profile marker, and stores the idempotency record
  (if given) with the facet. If an unexpired record with the same key exists, nothing is written and
  `IdempotencyReplay(record)` is raised. A facet id the user already has in that collection is `Conflict`.
- Storage ceiling: with `max_bytes`, `add_facet` and `replace_facet` refuse with
  `StorageQuotaExceeded` (nothing written) when the write would leave the user's facets, all
  collections together, over `max_bytes` bytes (`stored_size` of each) and makes them larger; a
  write that does not grow them always passes. Decided in the same atomic step as the write.
- `delete_profile` removes the marker, every facet of every collection and every idempotency record
  of the user; removing nothing is not an error (the profile always exists). SQLite: one
  transaction. Cosmos: see docs/data-model.md for users with more documents than one batch holds.
- `list_facets` returns every facet of the named collections (a user holds at most `max_count` per
  collection), in one store round trip, in no particular order: the service orders, filters and pages.
- ETags are opaque strings (quoted, as in HTTP) that change on every write of the item.
  `if_match` is an `IfMatch`: None means unconditional; see `etag_matches`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from shared.facets.model import FacetType
from shared.models import DirectoryUser, IdempotencyRecord, Versioned

if TYPE_CHECKING:
    from shared.repository.changes import ChangePage, Cursor, Position

#: A precondition from If-Match: None (none), "*" (the item exists) or the entity tags that match.
IfMatch = str | tuple[str, ...] | None
Facet = dict[str, Any]


def stored_size(facet: Facet) -> int:
    """What a facet counts against the storage ceiling: its compact JSON with non-ASCII characters
    escaped (`\\uXXXX`), which is how the SQLite store keeps it (the same count on every adapter)."""
    import json

    return len(json.dumps(facet, separators=(",", ":")))


def storage_message(max_bytes: int, stored: int, growth: int) -> str:
    """The message of `StorageQuotaExceeded`, the same on every adapter."""
    return (
        f"The user's stored data would exceed its limit of {max_bytes:,} bytes (stored now: {stored:,}; "
        f"this write adds {growth:,}). Delete or shorten facets first."
    )


def etag_matches(if_match: IfMatch, etag: str) -> bool:
    """The one If-Match rule (RFC 9110 §13.1.1, strong comparison): does `etag` satisfy `if_match`?"""
    if if_match is None or if_match == "*":
        return True
    tags = (if_match,) if isinstance(if_match, str) else if_match
    return etag in tags


class UserStore(Protocol):
    """The directory of users this service has seen (DIRECTORY=local)."""

    def record_user(self, user: DirectoryUser) -> None:
        """Remember a user's UPN and display name (upsert; cheap when nothing changed).

        A UPN moves with its owner: if another object id held this UPN before, the UPN now
        resolves to `user.object_id` only.
        """

    def get_user(self, tenant_id: str, object_id: str) -> DirectoryUser | None:
        """The directory entry of a user, or None if never seen."""

    def find_user_by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        """Resolve a UPN (case-insensitive) to the user that last presented it, or None."""


class ProfileStore(Protocol):
    """The profile marker (the profile itself exists implicitly for every user)."""

    def create_profile(self, tenant_id: str, object_id: str) -> None:
        """Set the user's profile marker; Conflict if it is already set."""

    def delete_profile(self, tenant_id: str, object_id: str) -> None:
        """Delete the marker, every facet of every collection and every idempotency record."""


class FacetStore(Protocol):
    """The facets of every collection, with the idempotency records their creates leave (contract §8)."""

    def add_facet(
        self,
        tenant_id: str,
        object_id: str,
        facet_type: FacetType,
        facet: Facet,
        *,
        max_count: int,
        idempotency: IdempotencyRecord | None = None,
        max_bytes: int | None = None,
    ) -> Versioned[Facet]:
        """Store a new facet (see the module docstring for the atomic guarantees)."""

    def get_facet(
        self, tenant_id: str, object_id: str, facet_type: FacetType, facet_id: str
    ) -> Versioned[Facet] | None:
        """One facet, or None."""

    def list_facets(
        self, tenant_id: str, object_id: str, facet_types: Sequence[FacetType]
    ) -> dict[str, list[Versioned[Facet]]]:
        """Every facet of each named collection, keyed by collection name (every name present), in one round trip."""

    def scan_facets(
        self, tenant_id: str, object_id: str, facet_types: Sequence[FacetType]
    ) -> Iterator[tuple[str, Versioned[Facet]]]:
        """Every facet of the named collections as (collection name, facet), in no particular order,
        from the same single store read as `list_facets`, handed over as it is read (the adapter never
        holds them all; the caller keeps what it needs). Failures are the port's errors, raised while
        iterating; a caller that stops early closes the iterator."""

    def replace_facet(
        self,
        tenant_id: str,
        object_id: str,
        facet_type: FacetType,
        facet: Facet,
        *,
        if_match: IfMatch,
        max_bytes: int | None = None,
    ) -> Versioned[Facet]:
        """Replace an existing facet; NotFound if absent, PreconditionFailed if `if_match` does not match,
        StorageQuotaExceeded past `max_bytes` (see the module docstring)."""

    def delete_facet(
        self, tenant_id: str, object_id: str, facet_type: FacetType, facet_id: str, *, if_match: IfMatch
    ) -> None:
        """Delete a facet; NotFound if absent, PreconditionFailed if `if_match` does not match."""


class ChangeStore(Protocol):
    """What changed since a cursor (shared/repository/changes.py; docs/data-model.md, "Change tracking")."""

    def read_changes(
        self,
        tenant_id: str,
        object_id: str | None,
        facet_types: Sequence[FacetType],
        *,
        since: Cursor | None,
        after: Position | None,
        limit: int,
    ) -> ChangePage:
        """One page (at most `limit` changes, never empty while more follow) of the changes to the
        named collections of one user (`object_id`) or of the whole tenant (`object_id` None).

        `since` None: a first round, every facet in scope and no tombstones; else the facets changed
        and the tombstones written after the cursor `since`. `after`: the previous page's `after`
        (None on a round's first page). A round with nothing to deliver is one store round trip.
        Every change committed before a round's first page is in that round or the next.
        """

    def latest_cursor(self, tenant_id: str, object_id: str | None, facet_types: Sequence[FacetType]) -> Cursor:
        """A cursor from now (`$deltatoken=latest`): the next round has only what changes after it."""


class SecretStore(Protocol):
    """Deployment-wide secrets, the same on every instance."""

    def secret(self, name: str) -> bytes:
        """32 random bytes kept in the store under `name`, created on first use; every instance gets the same."""


class ProfileRepository(UserStore, ProfileStore, FacetStore, ChangeStore, SecretStore, Protocol):
    """Everything an adapter implements; services and the directory each ask for the narrow part they use."""

    def close(self) -> None:
        """Release connections (tests and the local host call it on shutdown)."""
