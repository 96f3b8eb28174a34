"""The repository port's contract (shared/repository/port.py), part 1, run on every adapter.

Directory of users, the profile marker, `delete_profile`, deployment-wide secrets. Facets, ETags,
quotas and idempotency: test_repository_contract_facets.py.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.errors import Conflict, QuotaExceeded
from shared.facets.catalog import FACET_TYPES
from tests.contract.helpers import POSITIONS, SAMPLE_TYPES, SKILLS, facet, guid, idempotency_record, record, user


# --- directory -------------------------------------------------------------------------------
def test_record_user_then_get_user(repo, tenant, oid):
    assert repo.get_user(tenant, oid) is None
    repo.record_user(user(tenant, oid, "Ada@Contoso.com", "Ada"))
    got = repo.get_user(tenant, oid)
    assert (got.tenant_id, got.object_id, got.user_principal_name, got.display_name) == (
        tenant,
        oid,
        "Ada@Contoso.com",
        "Ada",
    )
    assert repo.get_user(guid(), oid) is None  # per tenant


def test_find_user_by_upn_is_case_insensitive(repo, tenant, oid):
    repo.record_user(user(tenant, oid, "Ada@Contoso.com", "Ada"))
    for spelling in ("ada@contoso.com", "ADA@CONTOSO.COM", "Ada@Contoso.com"):
        found = repo.find_user_by_upn(tenant, spelling)
        assert found is not None and found.object_id == oid and found.display_name == "Ada"
    assert repo.find_user_by_upn(tenant, "bob@contoso.com") is None
    assert repo.find_user_by_upn(guid(), "ada@contoso.com") is None  # per tenant


def test_record_user_updates_display_name_everywhere(repo, tenant, oid):
    repo.record_user(user(tenant, oid, "ada@contoso.com", "Ada"))
    repo.record_user(user(tenant, oid, "ada@contoso.com", "Ada"))  # unchanged: still fine
    repo.record_user(user(tenant, oid, "ada@contoso.com", "Ada Lovelace"))
    assert repo.get_user(tenant, oid).display_name == "Ada Lovelace"
    assert repo.find_user_by_upn(tenant, "ADA@contoso.com").display_name == "Ada Lovelace"


def test_upn_moves_with_its_owner(repo, tenant):
    first, second = guid(), guid()
    repo.record_user(user(tenant, first, "shared@contoso.com"))
    repo.record_user(user(tenant, second, "Shared@Contoso.com"))
    assert repo.find_user_by_upn(tenant, "shared@contoso.com").object_id == second
    assert repo.get_user(tenant, first) is not None  # still known by object id
    assert repo.get_user(tenant, first).user_principal_name != "shared@contoso.com"
    repo.record_user(user(tenant, first, "shared@contoso.com"))  # presented again: moves back
    assert repo.find_user_by_upn(tenant, "SHARED@contoso.com").object_id == first
    assert repo.get_user(tenant, second).user_principal_name is None


def test_renamed_user_releases_old_upn(repo, tenant, oid):
    repo.record_user(user(tenant, oid, "old@contoso.com"))
    repo.record_user(user(tenant, oid, "new@contoso.com"))
    assert repo.find_user_by_upn(tenant, "old@contoso.com") is None
    assert repo.find_user_by_upn(tenant, "new@contoso.com").object_id == oid
    assert repo.get_user(tenant, oid).user_principal_name == "new@contoso.com"


# --- the profile marker ----------------------------------------------------------------------
def test_create_profile_sets_the_marker_once(repo, tenant, oid):
    repo.create_profile(tenant, oid)
    with pytest.raises(Conflict):
        repo.create_profile(tenant, oid)
    repo.create_profile(tenant, guid())  # another user has a marker of their own
    repo.create_profile(guid(), oid)  # the same object id in another tenant is another user


def test_add_facet_sets_a_missing_marker(repo, tenant, oid):
    repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=5)
    with pytest.raises(Conflict):
        repo.create_profile(tenant, oid)


def test_add_facet_keeps_an_existing_marker(repo, tenant, oid):
    repo.create_profile(tenant, oid)
    repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=5)
    repo.add_facet(tenant, oid, POSITIONS, facet(POSITIONS), max_count=5)
    with pytest.raises(Conflict):
        repo.create_profile(tenant, oid)


# --- delete_profile --------------------------------------------------------------------------
def test_delete_profile_removes_every_collection_and_record_of_the_user(repo, tenant, oid):
    made = {
        facet_type.collection: [
            repo.add_facet(
                tenant,
                oid,
                facet_type,
                facet(facet_type),
                max_count=10,
                idempotency=record(f"{facet_type.collection}-{n}"),
            ).value["id"]
            for n in range(2)
        ]
        for facet_type in SAMPLE_TYPES
    }
    neighbour = guid()
    kept = repo.add_facet(tenant, neighbour, SKILLS, facet(SKILLS), max_count=10, idempotency=record("skills-0"))
    repo.record_user(user(tenant, oid, "ada@contoso.com"))

    repo.delete_profile(tenant, oid)

    assert repo.list_facets(tenant, oid, FACET_TYPES) == {facet_type.collection: [] for facet_type in FACET_TYPES}
    for facet_type in SAMPLE_TYPES:
        assert all(repo.get_facet(tenant, oid, facet_type, i) is None for i in made[facet_type.collection])
        assert all(idempotency_record(repo, tenant, oid, f"{facet_type.collection}-{n}") is None for n in range(2))
    repo.create_profile(tenant, oid)  # the marker went too
    assert repo.find_user_by_upn(tenant, "ada@contoso.com").object_id == oid  # the directory stays
    # the neighbour keeps everything
    assert repo.get_facet(tenant, neighbour, SKILLS, kept.value["id"]) == kept
    assert idempotency_record(repo, tenant, neighbour, "skills-0") is not None
    with pytest.raises(Conflict):
        repo.create_profile(tenant, neighbour)


def test_quota_starts_again_after_delete_profile(repo, tenant, oid):
    for _ in range(2):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=2)
    repo.delete_profile(tenant, oid)
    for _ in range(2):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=2)
    with pytest.raises(QuotaExceeded):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=2)


def test_delete_profile_of_a_user_with_nothing_stored_is_fine(repo, tenant, oid):
    repo.delete_profile(tenant, oid)
    repo.delete_profile(tenant, oid)
    repo.create_profile(tenant, oid)
    repo.delete_profile(tenant, oid)
    repo.delete_profile(tenant, oid)  # removing nothing again: still fine
    repo.create_profile(tenant, oid)


def test_delete_profile_with_more_items_than_one_batch(repo, tenant, oid):
    """More documents than one Cosmos transactional batch holds (100): 3 x 20 facets + 60 records + marker."""
    ids = {
        facet_type.collection: [
            repo.add_facet(
                tenant,
                oid,
                facet_type,
                facet(facet_type),
                max_count=100,
                idempotency=record(f"{facet_type.collection}-{n}"),
            ).value["id"]
            for n in range(20)
        ]
        for facet_type in SAMPLE_TYPES
    }
    repo.delete_profile(tenant, oid)
    assert repo.list_facets(tenant, oid, SAMPLE_TYPES) == {collection: [] for collection in ids}
    assert idempotency_record(repo, tenant, oid, "skills-19") is None
    repo.create_profile(tenant, oid)


# --- secrets ---------------------------------------------------------------------------------
def test_secret_is_32_random_bytes_kept_per_name(repo):
    first = repo.secret("cursor-key")
    assert isinstance(first, bytes) and len(first) == 32
    assert repo.secret("cursor-key") == first
    other = repo.secret("another-key")
    assert len(other) == 32 and other != first


@pytest.mark.empty_store  # the first callers must find no secret yet
def test_secret_is_the_same_for_every_instance_on_the_store(open_repository):
    """Concurrent first callers on separate instances (as separate processes would) agree on one value."""
    instances = [open_repository() for _ in range(6)]
    start = threading.Barrier(len(instances))

    def ask(instance) -> bytes:
        start.wait()
        return instance.secret("shared-key")

    with ThreadPoolExecutor(len(instances)) as pool:
        values = list(pool.map(ask, instances))
    assert len(set(values)) == 1 and len(values[0]) == 32
    assert open_repository().secret("shared-key") == values[0]  # and a later instance reads it back
