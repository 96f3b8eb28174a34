"""The account facet collection: create (idempotent), list, get, update, delete."""
from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass

from shared.auth import Principal, sees_all_facets
from shared.errors import NotFound, PreconditionFailed, Unprocessable
from shared.models import Account, AccountInput, IdempotencyRecord, Page, Versioned
from shared.models.account import account_wire, is_shared
from shared.repository import ProfileRepository
from shared.repository.port import IdempotencyReplay
from shared.services.clock import graph_timestamp
from shared.services.profiles import new_profile
from shared.services.users import Target, resolve_target

IDEMPOTENCY_TTL_S = 24 * 3600
_PATCH_RETRIES = 5


@dataclass(frozen=True)
class AccountResult:
    """One account as the API returns it: the wire body, its ETag and where it lives."""

    object_id: str
    account_id: str
    body: dict
    etag: str | None


@dataclass(frozen=True)
class IdempotentRequest:
    """A create sent with an Idempotency-Key: the key and a fingerprint of the request."""

    key: str
    fingerprint: str


def create_account(
    repo: ProfileRepository,
    principal: Principal,
    ref: str,
    data: AccountInput,
    *,
    max_accounts: int,
    idempotent: IdempotentRequest | None = None,
) -> AccountResult:
    """Create an account facet (and the profile, if the user has none)."""
    target = resolve_target(repo, principal, ref, write=True)
    now = graph_timestamp()
    who = principal.identity_set()
    account = Account(
        **dict(data), id=str(uuid.uuid4()), createdDateTime=now, createdBy=who, lastModifiedDateTime=now, lastModifiedBy=who
    )
    body = _wire(account, target)
    record = None
    if idempotent is not None:
        record = IdempotencyRecord(
            key=_scoped_key(principal, target, idempotent.key),
            fingerprint=idempotent.fingerprint,
            resource_id=account.id,
            response=body,
            expires_at=int(time.time()) + IDEMPOTENCY_TTL_S,
        )
    try:
        stored = repo.add_account(
            target.tenant_id, target.object_id, account,
            profile_if_missing=new_profile(), max_accounts=max_accounts, idempotency=record,
        )
    except IdempotencyReplay as replay:
        return _replay(repo, target, replay.record, idempotent)
    return AccountResult(target.object_id, account.id, body, stored.etag)


def list_accounts(
    repo: ProfileRepository, principal: Principal, ref: str, *, top: int, cursor: str | None
) -> tuple[list[AccountResult], str | None]:
    """One page of the user's accounts the caller may see, and the cursor of the next page."""
    target = resolve_target(repo, principal, ref, write=False)
    page: Page[Versioned[Account]] = repo.list_accounts(target.tenant_id, target.object_id, limit=top, cursor=cursor)
    visible = [item for item in page.items if _visible(principal, target, item.value)]
    return [_result(target, item) for item in visible], page.cursor


def get_account(repo: ProfileRepository, principal: Principal, ref: str, account_id: str) -> AccountResult:
    """One account; NotFound if absent or hidden from the caller."""
    target = resolve_target(repo, principal, ref, write=False)
    return _result(target, _load(repo, principal, target, account_id))


def update_account(
    repo: ProfileRepository, principal: Principal, ref: str, account_id: str, changes: AccountInput, *, if_match: str | None
) -> AccountResult:
    """Apply a partial update. With If-Match the caller's version must be current (else 412);
    without it the last writer wins, and concurrent patches of different properties all land."""
    target = resolve_target(repo, principal, ref, write=True)
    patch = changes.model_dump(exclude_unset=True)
    for _ in range(_PATCH_RETRIES):
        current = _load(repo, principal, target, account_id)
        if if_match not in (None, "*") and if_match != current.etag:
            raise PreconditionFailed("The entity tag does not match the current version of the account.")
        updated = Account(**{
            **dict(current.value),
            **{name: getattr(changes, name) for name in patch},
            "lastModifiedDateTime": graph_timestamp(),
            "lastModifiedBy": principal.identity_set(),
        })
        try:
            stored = repo.replace_account(target.tenant_id, target.object_id, updated, if_match=current.etag)
        except PreconditionFailed:
            if if_match not in (None, "*"):
                raise
            continue
        return _result(target, stored)
    raise PreconditionFailed("The account kept changing while it was being updated. Try again.")


def delete_account(
    repo: ProfileRepository, principal: Principal, ref: str, account_id: str, *, if_match: str | None
) -> None:
    """Delete one account (If-Match honoured)."""
    target = resolve_target(repo, principal, ref, write=True)
    repo.delete_account(target.tenant_id, target.object_id, account_id, if_match=if_match)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """A hash of what makes two creates "the same request" for idempotency."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.lower().encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _scoped_key(principal: Principal, target: Target, key: str) -> str:
    caller = principal.app_id if principal.is_app else principal.object_id
    return hashlib.sha256(f"{principal.tenant_id}|{caller}|{target.object_id}|{key}".encode()).hexdigest()


def _replay(
    repo: ProfileRepository, target: Target, record: IdempotencyRecord, idempotent: IdempotentRequest | None
) -> AccountResult:
    if idempotent is None or record.fingerprint != idempotent.fingerprint:
        raise Unprocessable("The Idempotency-Key was already used for a different request.")
    current = repo.get_account(target.tenant_id, target.object_id, record.resource_id)
    return AccountResult(target.object_id, record.resource_id, record.response, current.etag if current else None)


def _load(repo: ProfileRepository, principal: Principal, target: Target, account_id: str) -> Versioned[Account]:
    found = repo.get_account(target.tenant_id, target.object_id, account_id) if len(account_id) <= 256 else None
    if found is None or not _visible(principal, target, found.value):
        raise NotFound("The account does not exist.")
    return found


def _visible(principal: Principal, target: Target, account: Account) -> bool:
    return sees_all_facets(principal, own=target.own) or is_shared(account)


def _wire(account: Account, target: Target) -> dict:
    return account_wire(account, target.user.user_principal_name, target.user.age_group)


def _result(target: Target, item: Versioned[Account]) -> AccountResult:
    return AccountResult(target.object_id, item.value.id, _wire(item.value, target), item.etag)
