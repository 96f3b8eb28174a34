"""HTTP round trips of the Cosmos adapter, counted at the transport (every request that leaves).

The numbers are the ones docs/data-model.md promises; the connection's one-off start-up requests
(account, database, container reads) are excluded by warming the repository first.
"""
from __future__ import annotations

import pytest

from shared.errors import QuotaExceeded
from shared.repository.cosmos import CosmosRepository
from tests.contract.cosmos_transports import CountingTransport
from tests.contract.helpers import account, guid, profile, record, user


@pytest.fixture
def counted(cosmos_settings):
    transport = CountingTransport()
    repo = CosmosRepository.from_settings(cosmos_settings, transport=transport)
    repo.get_profile(guid(), guid())  # connect: account + container reads happen here, once
    transport.reset()
    yield repo, transport
    repo.close()


def _counts(transport):
    return transport.reads, transport.writes


def test_add_account_with_existing_profile_is_one_read_and_one_write(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    repo.create_profile(tenant, oid, profile())
    transport.reset()
    repo.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=10)
    assert _counts(transport) == (1, 1)  # one single-partition query, one transactional batch
    transport.reset()
    repo.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=10, idempotency=record())
    assert _counts(transport) == (1, 1)  # the idempotency key rides in the same query and batch


def test_add_account_creating_the_profile_is_also_one_write(counted):
    repo, transport = counted
    repo.add_account(guid(), guid(), account(), profile_if_missing=profile(), max_accounts=10)
    assert _counts(transport) == (1, 1)


def test_refused_add_writes_nothing(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    repo.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=1)
    transport.reset()
    with pytest.raises(QuotaExceeded):
        repo.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=1)
    assert _counts(transport) == (1, 0)


def test_find_user_by_upn_is_one_point_read(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    repo.record_user(user(tenant, oid, "ada@contoso.com"))
    transport.reset()
    assert repo.find_user_by_upn(tenant, "ADA@contoso.com").object_id == oid
    assert _counts(transport) == (1, 0)
    assert transport.requests[0][1] == "GET"  # a point read, not a query
    transport.reset()
    assert repo.find_user_by_upn(tenant, "nobody@contoso.com") is None
    assert _counts(transport) == (1, 0)


def test_record_user_unchanged_reads_twice_and_writes_nothing(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    repo.record_user(user(tenant, oid, "ada@contoso.com"))
    transport.reset()
    repo.record_user(user(tenant, oid, "ada@contoso.com"))
    assert _counts(transport) == (2, 0)


def test_point_operations(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    stored = repo.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=10)
    for call, expected in (
        (lambda: repo.get_profile(tenant, oid), (1, 0)),
        (lambda: repo.get_account(tenant, oid, stored.value.id), (1, 0)),
        (lambda: repo.list_accounts(tenant, oid, limit=10), (1, 0)),
        (lambda: repo.replace_account(tenant, oid, stored.value, if_match=None), (1, 1)),
        (lambda: repo.delete_account(tenant, oid, stored.value.id, if_match=None), (1, 1)),
    ):
        transport.reset()
        call()
        assert _counts(transport) == expected


def test_creating_a_facet_through_the_service_costs_one_write(counted):
    """The whole create path (permission check, user resolution, write), as a request runs it."""
    from shared.auth import Principal
    from shared.models import AccountInput
    from shared.services.accounts import create_account

    repo, transport = counted
    tenant = guid()

    def caller(oid: str, upn: str, scope: str) -> Principal:
        return Principal(tenant_id=tenant, object_id=oid, is_app=False, scopes=frozenset({scope}), roles=frozenset(),
                         app_id=guid(), app_display_name=None, upn=upn, display_name="Test")

    owner = caller(guid(), "owner@contoso.test", "User.ReadWrite")
    admin = caller(guid(), "admin@contoso.test", "User.ReadWrite.All")
    for principal in (owner, admin):  # first sight records each caller once (cached afterwards)
        create_account(repo, principal, "me", AccountInput(), max_accounts=100)
    counts = {}
    for label, principal, ref in (("me", owner, "me"), ("oid", admin, owner.object_id), ("upn", admin, "OWNER@contoso.test")):
        transport.reset()
        create_account(repo, principal, ref, AccountInput(), max_accounts=100)
        counts[label] = _counts(transport)
    assert counts["me"] == (1, 1)
    assert counts["upn"] == (2, 1)  # + the UPN index point read
    assert counts["oid"] == (2, 1)  # + the directory entry's point read (userPrincipalName, ageGroup in the body)
