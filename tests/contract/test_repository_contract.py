"""The ProfileRepository contract (shared/repository/port.py), run on every adapter.

Directory, profile lifecycle, add_account (implicit profile, quota, idempotency). Listing, paging,
concurrency, ETags and tenant isolation: test_repository_contract_accounts.py.
"""
from __future__ import annotations

import pytest

from shared.errors import Conflict, NotFound, QuotaExceeded
from shared.repository.port import IdempotencyReplay
from tests.contract.helpers import account, guid, profile, record, user


# --- directory -------------------------------------------------------------------------------
def test_record_user_then_get_user(repository, tenant, oid):
    assert repository.get_user(tenant, oid) is None
    repository.record_user(user(tenant, oid, "Ada@Contoso.com", "Ada"))
    got = repository.get_user(tenant, oid)
    assert (got.tenant_id, got.object_id, got.user_principal_name, got.display_name) == (
        tenant, oid, "Ada@Contoso.com", "Ada")


def test_find_user_by_upn_is_case_insensitive(repository, tenant, oid):
    repository.record_user(user(tenant, oid, "Ada@Contoso.com", "Ada"))
    for spelling in ("ada@contoso.com", "ADA@CONTOSO.COM", "Ada@Contoso.com"):
        found = repository.find_user_by_upn(tenant, spelling)
        assert found is not None and found.object_id == oid and found.display_name == "Ada"
    assert repository.find_user_by_upn(tenant, "bob@contoso.com") is None


def test_record_user_updates_display_name_everywhere(repository, tenant, oid):
    repository.record_user(user(tenant, oid, "ada@contoso.com", "Ada"))
    repository.record_user(user(tenant, oid, "ada@contoso.com", "Ada"))  # unchanged: still fine
    repository.record_user(user(tenant, oid, "ada@contoso.com", "Ada Lovelace"))
    assert repository.get_user(tenant, oid).display_name == "Ada Lovelace"
    assert repository.find_user_by_upn(tenant, "ADA@contoso.com").display_name == "Ada Lovelace"


def test_upn_moves_with_its_owner(repository, tenant):
    first, second = guid(), guid()
    repository.record_user(user(tenant, first, "shared@contoso.com"))
    repository.record_user(user(tenant, second, "Shared@Contoso.com"))
    assert repository.find_user_by_upn(tenant, "shared@contoso.com").object_id == second
    assert repository.get_user(tenant, first) is not None  # still known by object id
    assert repository.get_user(tenant, first).user_principal_name != "shared@contoso.com"
    repository.record_user(user(tenant, first, "shared@contoso.com"))  # presented again: moves back
    assert repository.find_user_by_upn(tenant, "SHARED@contoso.com").object_id == first


def test_renamed_user_releases_old_upn(repository, tenant, oid):
    repository.record_user(user(tenant, oid, "old@contoso.com"))
    repository.record_user(user(tenant, oid, "new@contoso.com"))
    assert repository.find_user_by_upn(tenant, "old@contoso.com") is None
    assert repository.find_user_by_upn(tenant, "new@contoso.com").object_id == oid
    assert repository.get_user(tenant, oid).user_principal_name == "new@contoso.com"


# --- profile ---------------------------------------------------------------------------------
def test_create_get_and_conflict(repository, tenant, oid):
    assert repository.get_profile(tenant, oid) is None
    made = profile()
    assert repository.create_profile(tenant, oid, made) == made
    assert repository.get_profile(tenant, oid) == made
    with pytest.raises(Conflict):
        repository.create_profile(tenant, oid, profile())
    assert repository.get_profile(tenant, oid) == made
    assert repository.get_profile(tenant, guid()) is None


def test_delete_profile_cascades(repository, tenant, oid):
    repository.create_profile(tenant, oid, profile())
    ids = [repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=10,
                                  idempotency=record(f"k{n}")).value.id for n in range(3)]
    repository.record_user(user(tenant, oid, "ada@contoso.com"))
    repository.delete_profile(tenant, oid)
    assert repository.get_profile(tenant, oid) is None
    assert repository.list_accounts(tenant, oid, limit=10).items == []
    assert all(repository.get_account(tenant, oid, i) is None for i in ids)
    assert all(repository.get_idempotency_record(tenant, oid, f"k{n}") is None for n in range(3))
    assert repository.find_user_by_upn(tenant, "ada@contoso.com").object_id == oid  # directory stays
    with pytest.raises(NotFound):
        repository.delete_profile(tenant, oid)
    # the quota starts again from zero
    for _ in range(2):
        repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=2)
    with pytest.raises(QuotaExceeded):
        repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=2)


def test_delete_profile_with_more_items_than_one_batch(repository, tenant, oid):
    for n in range(60):
        repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=100,
                               idempotency=record(f"key-{n}"))
    repository.delete_profile(tenant, oid)
    assert repository.get_profile(tenant, oid) is None
    assert repository.list_accounts(tenant, oid, limit=100).items == []
    assert repository.get_idempotency_record(tenant, oid, "key-0") is None
    repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=1)


def test_delete_profile_without_profile_is_not_found(repository, tenant, oid):
    with pytest.raises(NotFound):
        repository.delete_profile(tenant, oid)


# --- add_account -----------------------------------------------------------------------------
def test_add_account_creates_profile_when_missing_and_keeps_an_existing_one(repository, tenant, oid):
    implicit = profile()
    stored = repository.add_account(tenant, oid, account(country="NO"), profile_if_missing=implicit, max_accounts=5)
    assert repository.get_profile(tenant, oid) == implicit
    assert stored.value.countryCode == "NO" and stored.etag
    repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=5)
    assert repository.get_profile(tenant, oid) == implicit
    got = repository.get_account(tenant, oid, stored.value.id)
    assert got.value == stored.value and got.etag == stored.etag


def test_quota_refuses_and_writes_nothing(repository, tenant, oid):
    for _ in range(2):
        repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=2)
    refused = account()
    with pytest.raises(QuotaExceeded):
        repository.add_account(tenant, oid, refused, profile_if_missing=profile(), max_accounts=2,
                               idempotency=record("refused"))
    assert repository.get_account(tenant, oid, refused.id) is None
    assert repository.get_idempotency_record(tenant, oid, "refused") is None
    assert len(repository.list_accounts(tenant, oid, limit=10).items) == 2


def test_idempotency_record_is_stored_with_the_account_and_replayed(repository, tenant, oid):
    first = account()
    kept = record("key-1", resource_id=first.id)
    repository.add_account(tenant, oid, first, profile_if_missing=profile(), max_accounts=5, idempotency=kept)
    assert repository.get_idempotency_record(tenant, oid, "key-1") == kept
    second = account()
    with pytest.raises(IdempotencyReplay) as replay:
        repository.add_account(tenant, oid, second, profile_if_missing=profile(), max_accounts=5,
                               idempotency=record("key-1", resource_id=second.id))
    assert replay.value.record == kept
    assert repository.get_account(tenant, oid, second.id) is None
    assert [v.value.id for v in repository.list_accounts(tenant, oid, limit=10).items] == [first.id]
    assert repository.get_idempotency_record(tenant, guid(), "key-1") is None  # scoped to the user


def test_replay_wins_over_quota(repository, tenant, oid):
    kept = record("key-q")
    repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=1, idempotency=kept)
    with pytest.raises(IdempotencyReplay):
        repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=1,
                               idempotency=record("key-q"))


def test_expired_idempotency_record_is_gone_and_the_key_reusable(repository, tenant, oid):
    repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=5,
                           idempotency=record("old", ttl=-10))
    assert repository.get_idempotency_record(tenant, oid, "old") is None
    fresh = record("old")
    repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=5, idempotency=fresh)
    assert repository.get_idempotency_record(tenant, oid, "old") == fresh
    assert len(repository.list_accounts(tenant, oid, limit=10).items) == 2


def test_deleting_an_account_frees_quota(repository, tenant, oid):
    only = repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=1)
    repository.delete_account(tenant, oid, only.value.id, if_match=None)
    repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=1)
    with pytest.raises(QuotaExceeded):
        repository.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=1)
