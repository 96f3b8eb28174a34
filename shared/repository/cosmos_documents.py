"""The Cosmos document model: partition keys, document ids, and the mapping to domain objects.

See docs/data-model.md. Every function here is pure (no I/O), so the layout is testable alone.
"""
from __future__ import annotations

import hashlib
import math
import re
import time
from typing import Any

from shared.models import Account, DirectoryUser, IdempotencyRecord, Profile
from shared.repository.cursor import sort_key

USER_ID = "user"
UPN_ID = "upn"
TYPE_USER, TYPE_ACCOUNT, TYPE_IDEMPOTENCY, TYPE_UPN = "user", "account", "idempotency", "upn"

_SAFE_PART = re.compile(r"^[0-9A-Za-z-]{1,40}$")
_SAFE_ID = re.compile(r"^[0-9A-Za-z._-]{1,200}$")


def _digest(value: str, length: int = 32) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:length]


def key_part(value: str) -> str:
    """A tenant or object id as a key component: as is when short and plain, else `~` + its hash."""
    return value if _SAFE_PART.match(value) else "~" + _digest(value, 40)


def user_pk(tenant_id: str, object_id: str) -> str:
    """The logical partition of one user: user doc, accounts, idempotency records (<= 83 bytes)."""
    return f"{key_part(tenant_id)}:{key_part(object_id)}"


def upn_pk(tenant_id: str, upn: str) -> str:
    """The partition of one UPN's index document; the raw UPN never appears in a key."""
    return f"{key_part(tenant_id)}:upn:{_digest(upn.lower())}"


def _doc_id(prefix: str, value: str) -> str:
    return f"{prefix}:{value}" if _SAFE_ID.match(value) else f"{prefix}~{_digest(value, 64)}"


def account_doc_id(account_id: str) -> str:
    """Document id of an account facet (ids with unsafe characters are hashed)."""
    return _doc_id("acct", account_id)


def idempotency_doc_id(key: str) -> str:
    """Document id of an idempotency record."""
    return _doc_id("idem", key)


# --- documents -----------------------------------------------------------------------------
def _base(pk: str, doc_id: str, doc_type: str, tenant_id: str, object_id: str) -> dict[str, Any]:
    return {"id": doc_id, "pk": pk, "type": doc_type, "tenant": tenant_id, "oid": object_id}


def new_user_doc(tenant_id: str, object_id: str) -> dict[str, Any]:
    """A user document before anything is known: no directory entry, no profile, no accounts."""
    doc = _base(user_pk(tenant_id, object_id), USER_ID, TYPE_USER, tenant_id, object_id)
    doc.update(directory=None, profile=None, accountCount=0, rev=0)
    return doc


def directory_fields(user: DirectoryUser) -> dict[str, Any]:
    """The directory part of a user document."""
    return {"upn": user.user_principal_name, "displayName": user.display_name, "ageGroup": user.age_group}


def user_from_directory(tenant_id: str, object_id: str, fields: dict[str, Any] | None) -> DirectoryUser | None:
    """The DirectoryUser held in a user or UPN document."""
    if fields is None:
        return None
    return DirectoryUser(
        tenant_id=tenant_id,
        object_id=object_id,
        user_principal_name=fields.get("upn"),
        display_name=fields.get("displayName"),
        age_group=fields.get("ageGroup"),
    )


def upn_doc(user: DirectoryUser) -> dict[str, Any]:
    """The UPN index document: resolves a UPN with one point read."""
    assert user.user_principal_name is not None
    doc = _base(upn_pk(user.tenant_id, user.user_principal_name), UPN_ID, TYPE_UPN, user.tenant_id, user.object_id)
    doc["directory"] = directory_fields(user)
    return doc


def profile_fields(profile: Profile) -> dict[str, Any]:
    return profile.model_dump(mode="json")


def profile_from(fields: dict[str, Any] | None) -> Profile | None:
    return None if fields is None else Profile.model_validate(fields)


def account_doc(tenant_id: str, object_id: str, account: Account) -> dict[str, Any]:
    """An account facet document; the domain value sits under `account`."""
    doc = _base(user_pk(tenant_id, object_id), account_doc_id(account.id), TYPE_ACCOUNT, tenant_id, object_id)
    doc["sortKey"] = sort_key(account)  # shared with the sqlite adapter (cursor.py)
    doc["account"] = account.model_dump(mode="json")
    return doc


def account_from(doc: dict[str, Any]) -> Account:
    return Account.model_validate(doc["account"])


def idempotency_doc(tenant_id: str, object_id: str, record: IdempotencyRecord) -> dict[str, Any]:
    """An idempotency record; `ttl` lets the service purge it, `expiresAt` is checked in code too."""
    doc = _base(user_pk(tenant_id, object_id), idempotency_doc_id(record.key), TYPE_IDEMPOTENCY, tenant_id, object_id)
    doc.update(
        key=record.key,
        fingerprint=record.fingerprint,
        resourceId=record.resource_id,
        response=record.response,
        expiresAt=record.expires_at,
        ttl=max(1, math.ceil(record.expires_at - time.time())),
    )
    return doc


def idempotency_from(doc: dict[str, Any] | None, now: float | None = None) -> IdempotencyRecord | None:
    """The record in a document, or None when absent or expired (TTL purging is lazy)."""
    if doc is None or doc.get("expiresAt", 0) <= (time.time() if now is None else now):
        return None
    return IdempotencyRecord(
        key=doc["key"],
        fingerprint=doc["fingerprint"],
        resource_id=doc["resourceId"],
        response=doc.get("response") or {},
        expires_at=doc["expiresAt"],
    )


def body_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A document without the server's system properties, ready to be written back."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}
