"""The repository port: everything the service asks of storage, as atomic domain operations.

Both adapters (`sqlite`, `cosmos`) implement this Protocol and pass one contract suite
(tests/contract). Keys are always (tenant_id, object_id), never a UPN. Errors raised are those of
`shared.errors`: `Conflict`, `NotFound`, `PreconditionFailed`, `QuotaExceeded`, `Throttled`,
`ServiceUnavailable`; no SDK or sqlite3 exception leaves an adapter.

Semantics every adapter guarantees:
- `add_account` is one atomic step: it creates the profile (`profile_if_missing`) when the user has
  none, refuses with `QuotaExceeded` when the user already has `max_accounts` accounts, and stores
  the idempotency record (if given) together with the account. If a record with the same key
  already exists and has not expired, nothing is written and `IdempotencyReplay(record)` is raised.
  An account id that the user already has is `Conflict`, with nothing written.
- `delete_profile` removes the profile, every account and every idempotency record of the user
  (NotFound when there is no profile). SQLite: one transaction. Cosmos: batches of at most 99
  documents, records first and the profile in the last batch, so a failure part-way leaves a
  profile with fewer facets (never facets without a profile) and a retry finishes the job.
- `list_accounts` orders by (createdDateTime, id) and pages by cursor (keyset, not offset), so
  inserts during paging never repeat or skip an item that existed when paging started.
- ETags are opaque strings that change on every write of the item. `if_match=None` means
  unconditional; `"*"` means "exists".
"""
from __future__ import annotations

from typing import Protocol

from shared.errors import ApiError
from shared.models import Account, DirectoryUser, IdempotencyRecord, Page, Profile, Versioned


class IdempotencyReplay(Exception):
    """add_account found an unexpired record with the same key; nothing was written."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotency key already used")
        self.record = record


class ProfileRepository(Protocol):
    """Storage for profiles, account facets, the directory of seen users and idempotency records."""

    # --- directory -------------------------------------------------------------------------
    def record_user(self, user: DirectoryUser) -> None:
        """Remember a user's UPN and display name (upsert; cheap when nothing changed).

        A UPN moves with its owner: if another object id held this UPN before, the UPN now
        resolves to `user.object_id` only.
        """

    def get_user(self, tenant_id: str, object_id: str) -> DirectoryUser | None:
        """The directory entry of a user, or None if never seen."""

    def find_user_by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        """Resolve a UPN (case-insensitive) to the user that last presented it, or None."""

    # --- profile ---------------------------------------------------------------------------
    def create_profile(self, tenant_id: str, object_id: str, profile: Profile) -> Profile:
        """Create the user's profile; Conflict if it exists."""

    def get_profile(self, tenant_id: str, object_id: str) -> Profile | None:
        """The user's profile, or None."""

    def delete_profile(self, tenant_id: str, object_id: str) -> None:
        """Delete the profile with every facet and idempotency record; NotFound if no profile."""

    # --- account facets --------------------------------------------------------------------
    def add_account(
        self,
        tenant_id: str,
        object_id: str,
        account: Account,
        *,
        profile_if_missing: Profile,
        max_accounts: int,
        idempotency: IdempotencyRecord | None = None,
    ) -> Versioned[Account]:
        """Store a new account (see the module docstring for the atomic guarantees)."""

    def get_account(self, tenant_id: str, object_id: str, account_id: str) -> Versioned[Account] | None:
        """One account, or None."""

    def list_accounts(
        self, tenant_id: str, object_id: str, *, limit: int, cursor: str | None = None
    ) -> Page[Versioned[Account]]:
        """Up to `limit` accounts after `cursor`, ordered by (createdDateTime, id).

        A cursor that this adapter did not produce raises `BadCursor`.
        """

    def replace_account(
        self, tenant_id: str, object_id: str, account: Account, *, if_match: str | None
    ) -> Versioned[Account]:
        """Replace an existing account; NotFound if absent, PreconditionFailed on an ETag mismatch."""

    def delete_account(self, tenant_id: str, object_id: str, account_id: str, *, if_match: str | None) -> None:
        """Delete an account; NotFound if absent, PreconditionFailed on an ETag mismatch."""

    def get_idempotency_record(self, tenant_id: str, object_id: str, key: str) -> IdempotencyRecord | None:
        """An unexpired idempotency record, or None."""

    # --- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Release connections (tests and the local host call it on shutdown)."""


class BadCursor(ApiError):
    """A paging cursor that is not one of ours (maps to 400)."""

    status, code = 400, "invalidRequest"


RepositoryErrors = (ApiError, IdempotencyReplay)
