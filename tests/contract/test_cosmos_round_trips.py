"""HTTP round trips of the Cosmos adapter, counted at the transport (every request that leaves).

The numbers are the ones docs/data-model.md promises; the connection's one-off start-up requests
(account, database, container reads) are excluded by warming the repository first.
"""

from __future__ import annotations

import pytest

from shared.auth import Principal
from shared.directory.local import LocalDirectory
from shared.errors import QuotaExceeded
from shared.facets.catalog import FACET_TYPES
from shared.repository.cosmos import CosmosRepository
from shared.services.facets import create_facet, update_facet
from shared.services.users import resolve_target
from tests.contract.cosmos_transports import CountingTransport
from tests.contract.helpers import ACCOUNT, POSITIONS, SKILLS, changed, facet, guid, record, user


@pytest.fixture
def counted(cosmos_settings):
    transport = CountingTransport()
    repo = CosmosRepository.from_settings(cosmos_settings, transport=transport)
    repo.get_user(guid(), guid())  # connect: account + container reads happen here, once
    transport.reset()
    yield repo, transport
    repo.close()


def _counts(transport: CountingTransport) -> tuple[int, int]:
    return transport.reads, transport.writes


def _batches(transport: CountingTransport) -> int:
    return transport.batches


# --- facets at the port ------------------------------------------------------------------------
def test_add_facet_is_one_read_and_one_batch(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=10)  # the first: creates the user document
    assert _counts(transport) == (1, 1) and _batches(transport) == 1
    for facet_type in (SKILLS, POSITIONS, ACCOUNT):
        transport.reset()
        repo.add_facet(tenant, oid, facet_type, facet(facet_type), max_count=10, idempotency=record())
        assert _counts(transport) == (1, 1) and _batches(transport) == 1  # the record rides along


def test_a_refused_add_reads_once_and_writes_nothing(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=1)
    transport.reset()
    with pytest.raises(QuotaExceeded):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=1)
    assert _counts(transport) == (1, 0)


@pytest.mark.parametrize("how_many", [0, 1, 3, len(FACET_TYPES)])
def test_list_facets_is_one_query_for_any_number_of_collections(counted, how_many):
    repo, transport = counted
    tenant, oid = guid(), guid()
    for facet_type in (SKILLS, POSITIONS, ACCOUNT):
        repo.add_facet(tenant, oid, facet_type, facet(facet_type), max_count=10)
    transport.reset()
    listed = repo.list_facets(tenant, oid, FACET_TYPES[:how_many])
    assert len(listed) == how_many
    assert _counts(transport) == ((1, 0) if how_many else (0, 0))


def test_list_facets_of_a_full_user_is_still_one_query(counted):
    """More facets than a default query page (100): the page size is left to the service."""
    repo, transport = counted
    tenant, oid = guid(), guid()
    for facet_type in (SKILLS, POSITIONS):
        for _ in range(60):
            repo.add_facet(tenant, oid, facet_type, facet(facet_type), max_count=100)
    transport.reset()
    listed = repo.list_facets(tenant, oid, FACET_TYPES)
    assert len(listed["skills"]) == len(listed["positions"]) == 60
    assert _counts(transport) == (1, 0)


def test_get_facet_is_one_point_read(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    stored = repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=10, idempotency=record("k"))
    for call in (
        lambda: repo.get_facet(tenant, oid, SKILLS, stored.value["id"]),
        lambda: repo.get_facet(tenant, oid, SKILLS, guid()),
    ):
        transport.reset()
        call()
        assert _counts(transport) == (1, 0)
        assert transport.requests[0][1] == "GET"  # a point read, not a query


def test_replace_is_one_read_and_one_batch_with_the_user_document(counted):
    """The user document takes the change number in the same batch (docs/data-model.md, change tracking)."""
    repo, transport = counted
    tenant, oid = guid(), guid()
    stored = repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=10)
    for precondition in ("none", "star", "current tag", "several tags"):
        if_match = {"none": None, "star": "*", "current tag": stored.etag, "several tags": ('"other"', stored.etag)}[
            precondition
        ]
        transport.reset()
        stored = repo.replace_facet(tenant, oid, SKILLS, changed(stored.value), if_match=if_match)
        assert _counts(transport) == (1, 1) and _batches(transport) == 1


def test_delete_facet_is_one_read_and_one_batch(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    for if_match in (None, "tag"):
        stored = repo.add_facet(tenant, oid, POSITIONS, facet(POSITIONS), max_count=10)
        transport.reset()
        repo.delete_facet(tenant, oid, POSITIONS, stored.value["id"], if_match=stored.etag if if_match else None)
        assert _counts(transport) == (1, 1) and _batches(transport) == 1


# --- profile, directory, secrets -----------------------------------------------------------------
def test_create_profile_is_one_read_and_one_write(counted):
    repo, transport = counted
    repo.create_profile(guid(), guid())
    assert _counts(transport) == (1, 1)


def test_delete_profile_is_two_reads_and_one_batch_per_99_documents(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    for _ in range(3):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=200, idempotency=record())
    transport.reset()
    repo.delete_profile(tenant, oid)
    assert _counts(transport) == (2, 1)
    for _ in range(60):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=200, idempotency=record())
    transport.reset()
    repo.delete_profile(tenant, oid)  # 120 documents: 2 batches
    assert _counts(transport) == (2, 2)
    transport.reset()
    repo.delete_profile(tenant, oid)  # nothing left: nothing written
    assert _counts(transport) == (2, 0)


def test_find_user_by_upn_is_one_point_read(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    repo.record_user(user(tenant, oid, "ada@contoso.com"))
    transport.reset()
    assert repo.find_user_by_upn(tenant, "ADA@contoso.com").object_id == oid
    assert _counts(transport) == (1, 0)
    assert transport.requests[0][1] == "GET"
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


def test_a_secret_is_read_once_per_instance(counted):
    repo, transport = counted
    value = repo.secret("paging-token-key")  # missing: read, create
    assert _counts(transport) == (1, 1)
    transport.reset()
    assert repo.secret("paging-token-key") == value
    assert _counts(transport) == (0, 0)


# --- through the service, as a request runs it -------------------------------------------------
def _caller(tenant: str) -> Principal:
    return Principal(
        tenant_id=tenant,
        object_id=guid(),
        is_app=False,
        scopes=frozenset({"User.ReadWrite"}),
        roles=frozenset(),
        app_id=guid(),
        app_display_name=None,
        upn=f"{guid()[:8]}@contoso.test",
        display_name="Test",
    )


def test_a_create_for_me_is_one_read_and_one_batch(counted):
    repo, transport = counted
    directory, principal = LocalDirectory(repo), _caller(guid())
    target = resolve_target(directory, principal, "me", write=True)  # first sight records the caller once
    transport.reset()
    for facet_type, body in ((SKILLS, {"displayName": "Python"}), (ACCOUNT, {"countryCode": "NO"})):
        transport.reset()
        target = resolve_target(directory, principal, "me", write=True)
        create_facet(repo, principal, target, facet_type, body, max_count=100)
        assert _counts(transport) == (1, 1) and _batches(transport) == 1


def test_a_patch_without_if_match_is_two_reads_and_one_batch(counted):
    repo, transport = counted
    directory, principal = LocalDirectory(repo), _caller(guid())
    target = resolve_target(directory, principal, "me", write=True)
    made = create_facet(repo, principal, target, SKILLS, {"displayName": "Python"}, max_count=100)
    transport.reset()
    result = update_facet(repo, principal, target, SKILLS, made.facet_id, {"proficiency": "expert"}, if_match=None)
    assert result.body["proficiency"] == "expert" and result.body["displayName"] == "Python"
    assert _counts(transport) == (2, 1) and _batches(transport) == 1  # the facet; the facet + user document


def test_the_profile_expanded_over_every_collection_is_one_query(counted):
    """GET me/profile?$expand=<every collection> as the service runs it: one single-partition query, nothing else."""
    from shared.services.profiles import expand_profile

    repo, transport = counted
    directory, principal = LocalDirectory(repo), _caller(guid())
    target = resolve_target(directory, principal, "me", write=True)
    for facet_type in (SKILLS, POSITIONS, ACCOUNT):
        create_facet(repo, principal, target, facet_type, {}, max_count=100)
    transport.reset()
    target = resolve_target(directory, principal, "me", write=False)
    found = expand_profile(repo, principal, target, {ft.collection: ft for ft in FACET_TYPES})
    assert len(found) == len(FACET_TYPES)
    assert all(len(found[ft.collection].items) == 1 for ft in (SKILLS, POSITIONS, ACCOUNT))
    assert _counts(transport) == (1, 0) and transport.requests[0][1] == "POST"  # the one read is a query
