"""The per-user storage ceiling on every adapter: `max_bytes` on add_facet and replace_facet refuses a write
that would grow the user's facets (all collections together, `stored_size` of each) past it, in the same
atomic step as the write, and writes nothing then; a write that does not grow them always passes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.errors import StorageQuotaExceeded
from shared.facets.catalog import FACET_TYPES
from shared.repository.port import stored_size
from tests.contract.helpers import ACCOUNT, POSITIONS, SKILLS, changed, facet, guid


def _skill(size: int) -> dict:
    """A stored skill whose `stored_size` is exactly `size` (at least that of an empty one)."""
    made = facet(SKILLS, displayName="")
    made["displayName"] = "x" * (size - stored_size(made))
    assert stored_size(made) == size
    return made


def _total(repo, tenant, oid) -> int:
    listed = repo.list_facets(tenant, oid, FACET_TYPES)
    return sum(stored_size(item.value) for items in listed.values() for item in items)


def test_creates_pass_up_to_the_ceiling_and_the_next_one_writes_nothing(repo, tenant, oid):
    first = repo.add_facet(tenant, oid, SKILLS, _skill(4000), max_count=100, max_bytes=10_000)
    second = repo.add_facet(tenant, oid, POSITIONS, facet(POSITIONS), max_count=100, max_bytes=10_000)
    room = 10_000 - _total(repo, tenant, oid)
    repo.add_facet(tenant, oid, SKILLS, _skill(room), max_count=100, max_bytes=10_000)  # exactly full
    assert _total(repo, tenant, oid) == 10_000
    with pytest.raises(StorageQuotaExceeded) as refused:
        repo.add_facet(tenant, oid, ACCOUNT, facet(ACCOUNT), max_count=100, max_bytes=10_000)
    assert refused.value.status == 507 and refused.value.code == "quotaLimitReached"
    assert "10,000 bytes" in refused.value.message
    assert repo.list_facets(tenant, oid, [ACCOUNT]) == {"account": []}
    assert _total(repo, tenant, oid) == 10_000
    repo.delete_facet(tenant, oid, SKILLS, first.value["id"], if_match=None)  # deleting frees the room
    repo.add_facet(tenant, oid, ACCOUNT, facet(ACCOUNT), max_count=100, max_bytes=10_000)
    assert second.value["id"] in {item.value["id"] for item in repo.list_facets(tenant, oid, [POSITIONS])["positions"]}


def test_the_ceiling_is_per_user_and_none_means_no_ceiling(repo, tenant, oid):
    repo.add_facet(tenant, oid, SKILLS, _skill(5000), max_count=100, max_bytes=6000)
    with pytest.raises(StorageQuotaExceeded):
        repo.add_facet(tenant, oid, SKILLS, _skill(5000), max_count=100, max_bytes=6000)
    repo.add_facet(tenant, guid(), SKILLS, _skill(5000), max_count=100, max_bytes=6000)  # another user
    repo.add_facet(tenant, oid, SKILLS, _skill(5000), max_count=100)  # no ceiling asked for
    assert _total(repo, tenant, oid) == 10_000


def test_a_replace_that_grows_past_the_ceiling_writes_nothing_and_one_that_shrinks_always_passes(repo, tenant, oid):
    stored = repo.add_facet(tenant, oid, SKILLS, _skill(3000), max_count=100, max_bytes=8000)
    repo.add_facet(tenant, oid, SKILLS, _skill(3000), max_count=100, max_bytes=8000)
    grown = changed(stored.value, displayName="y" * 5500)  # 3,000 + about 5,700 bytes
    with pytest.raises(StorageQuotaExceeded):
        repo.replace_facet(tenant, oid, SKILLS, grown, if_match=stored.etag, max_bytes=8000)
    assert repo.get_facet(tenant, oid, SKILLS, stored.value["id"]) == stored  # unchanged, same ETag
    fits = changed(stored.value, displayName="y" * 4000)  # 3,000 + about 4,200
    after = repo.replace_facet(tenant, oid, SKILLS, fits, if_match=stored.etag, max_bytes=8000)
    assert _total(repo, tenant, oid) == stored_size(fits) + 3000 <= 8000
    # Over a ceiling below what is stored already, a write that does not grow the facets passes.
    smaller = changed(after.value, displayName="z")
    repo.replace_facet(tenant, oid, SKILLS, smaller, if_match=None, max_bytes=3000)
    assert _total(repo, tenant, oid) == stored_size(smaller) + 3000 > 3000
    with pytest.raises(StorageQuotaExceeded):
        repo.replace_facet(tenant, oid, SKILLS, changed(smaller, displayName="zz"), if_match=None, max_bytes=3000)


def test_delete_profile_frees_everything(repo, tenant, oid):
    for facet_type in (SKILLS, POSITIONS, ACCOUNT):
        repo.add_facet(tenant, oid, facet_type, facet(facet_type), max_count=100, max_bytes=50_000)
    repo.delete_profile(tenant, oid)
    repo.add_facet(tenant, oid, SKILLS, _skill(49_000), max_count=100, max_bytes=50_000)


def test_the_ceiling_is_exact_under_concurrent_creates(repo, tenant, oid):
    size, room = 2000, 9
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def create(_: int) -> None:
        start.wait()
        for _ in range(3):
            try:
                repo.add_facet(tenant, oid, SKILLS, _skill(size), max_count=100, max_bytes=size * room)
                outcomes.append("created")
            except StorageQuotaExceeded:
                outcomes.append("refused")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(8)))
    assert outcomes.count("created") == room and outcomes.count("refused") == 24 - room
    assert _total(repo, tenant, oid) == size * room


@pytest.mark.cosmos
def test_cosmos_counts_the_stored_bytes_once_when_the_user_document_does_not_know_them(cosmos_settings):
    """A user document written before it kept `bytes` (or during a multi-batch delete): the first write with a
    ceiling counts the facet documents, then records the total, which later writes keep."""
    from shared.repository.cosmos import CosmosRepository
    from shared.repository.cosmos.connection import connection_from_settings
    from shared.repository.cosmos.documents import STORED, USER_ID, user_pk

    repo = CosmosRepository.from_settings(cosmos_settings)
    try:
        tenant, oid = guid(), guid()
        for _ in range(3):
            repo.add_facet(tenant, oid, SKILLS, _skill(3000), max_count=100)
        container = connection_from_settings(cosmos_settings).container()
        document = container.read_item(USER_ID, partition_key=user_pk(tenant, oid))
        assert document[STORED] == 9000
        del document[STORED]
        container.replace_item(USER_ID, document)
        with pytest.raises(StorageQuotaExceeded):
            repo.add_facet(tenant, oid, SKILLS, _skill(2000), max_count=100, max_bytes=10_000)
        repo.add_facet(tenant, oid, SKILLS, _skill(1000), max_count=100, max_bytes=10_000)
        assert container.read_item(USER_ID, partition_key=user_pk(tenant, oid))[STORED] == 10_000
    finally:
        repo.close()
