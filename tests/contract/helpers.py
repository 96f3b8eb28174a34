"""Builders for the contract suite: accounts, profiles, users and idempotency records."""
from __future__ import annotations

import itertools
import time
import uuid
from datetime import UTC, datetime, timedelta

from shared.models import Account, DirectoryUser, IdempotencyRecord, Profile

_BASE = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
_counter = itertools.count(1)


def stamp(offset_us: int = 0) -> str:
    """An ISO timestamp in the service's format (7 fractional digits, Z)."""
    moment = _BASE + timedelta(microseconds=offset_us)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def guid() -> str:
    return str(uuid.uuid4())


def account(account_id: str | None = None, *, created: str | None = None, country: str | None = None) -> Account:
    """A valid account; by default created a microsecond after the previous one."""
    created = created or stamp(next(_counter))
    who = {"user": {"id": guid(), "displayName": "Test"}}
    return Account(
        id=account_id or guid(), createdDateTime=created, createdBy=who, lastModifiedDateTime=created,
        lastModifiedBy=who, countryCode=country,
    )


def profile() -> Profile:
    return Profile(id=guid(), createdDateTime=stamp())


def user(tenant: str, oid: str, upn: str | None, name: str | None = "Test User") -> DirectoryUser:
    return DirectoryUser(tenant_id=tenant, object_id=oid, user_principal_name=upn, display_name=name)


def record(key: str | None = None, *, resource_id: str = "r", ttl: int = 86400) -> IdempotencyRecord:
    """An idempotency record expiring `ttl` seconds from now (negative: already expired)."""
    return IdempotencyRecord(
        key=key or uuid.uuid4().hex, fingerprint=uuid.uuid4().hex, resource_id=resource_id,
        response={"id": resource_id, "countryCode": "NO"}, expires_at=int(time.time()) + ttl,
    )
