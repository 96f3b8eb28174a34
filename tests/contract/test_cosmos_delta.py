"""Change tracking on Cosmos DB: round trips counted at the transport, tombstones, and what the test
server offers for a tenant-wide feed (docs/data-model.md, "Change tracking")."""

from __future__ import annotations

import pytest

from shared.facets.catalog import FACET_TYPES
from shared.repository.changes import TOMBSTONE_RETENTION_S
from shared.repository.cosmos import CosmosRepository
from shared.repository.cosmos import documents as docs
from shared.repository.cosmos.connection import container_definition
from tests.contract.cosmos_transports import CountingTransport
from tests.contract.helpers import POSITIONS, SKILLS, facet, guid

pytestmark = pytest.mark.cosmos


@pytest.fixture
def counted(cosmos_settings):
    transport = CountingTransport()
    repo = CosmosRepository.from_settings(cosmos_settings, transport=transport)
    repo.get_user(guid(), guid())  # connect first
    transport.reset()
    yield repo, transport
    repo.close()


def _round(repo, tenant, oid, types, since):
    page = repo.read_changes(tenant, oid, types, since=since, after=None, limit=100)
    assert page.after is None
    return page


def test_a_round_with_no_changes_is_one_request_per_user_and_tenant_wide(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    for _ in range(3):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=10)
        repo.add_facet(tenant, guid(), SKILLS, facet(SKILLS), max_count=10)
    for scope in (oid, None):
        for types in ([SKILLS], FACET_TYPES):
            cursor = _round(repo, tenant, scope, types, None).cursor
            cursor = _round(repo, tenant, scope, types, cursor).cursor  # the tenant-wide overlap comes back once
            transport.reset()
            page = _round(repo, tenant, scope, types, cursor)
            assert page.changes == []
            assert len(transport.requests) == 1, transport.requests
            assert transport.reads == 1


def test_a_round_with_changes_is_still_one_request_a_page(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    cursor = _round(repo, tenant, oid, [SKILLS], None).cursor
    for _ in range(10):
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=100)
    transport.reset()
    page = _round(repo, tenant, oid, [SKILLS], cursor)
    assert len(page.changes) == 10 and len(transport.requests) == 1


def test_a_delete_leaves_a_tombstone_that_expires_by_itself(counted, cosmos_settings):
    repo, transport = counted
    tenant, oid = guid(), guid()
    made = repo.add_facet(tenant, oid, POSITIONS, facet(POSITIONS), max_count=10).value
    transport.reset()
    repo.delete_facet(tenant, oid, POSITIONS, made["id"], if_match=None)
    assert (transport.reads, transport.writes, transport.batches) == (1, 1, 1)  # the tombstone rides in the batch
    doc_id = "del:" + docs.facet_doc_id(POSITIONS, made["id"])
    stored = repo._store.read(doc_id, docs.user_pk(tenant, oid))
    assert stored is not None
    assert stored["ttl"] == TOMBSTONE_RETENTION_S and stored["facetId"] == made["id"]
    assert stored["collection"] == "positions" and stored["type"] == docs.TYPE_TOMBSTONE
    assert container_definition()["defaultTtl"] == -1  # TTL on: documents with `ttl` expire, others never


def test_a_profile_delete_puts_each_facet_and_its_tombstone_in_the_same_batch(counted):
    repo, transport = counted
    tenant, oid = guid(), guid()
    for _ in range(60):  # 60 deletes + 60 tombstones: two batches of at most 99 operations after the user document
        repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=100)
    cursor = _round(repo, tenant, oid, [SKILLS], None).cursor
    transport.reset()
    repo.delete_profile(tenant, oid)
    assert transport.batches == 2
    page = _round(repo, tenant, oid, [SKILLS], cursor)
    assert len(page.changes) == 60 and all(change.deleted for change in page.changes)
    assert repo.list_facets(tenant, oid, [SKILLS]) == {"skills": []}
    transport.reset()
    repo.delete_profile(tenant, oid)  # tombstones stay; nothing else left: nothing written
    assert transport.writes == 0


def test_the_test_server_has_no_change_feed(counted):
    """Why the tenant-wide feed is an indexed query (docs/data-model.md): the test server answers the
    change feed with every document once, then `304 Not Modified` and no items for ever. If this
    fails, the server learned the change feed and the choice can be measured again."""
    repo, _ = counted
    tenant, oid = guid(), guid()
    repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=10)
    container = repo._store.connection.container()
    assert len(list(container.query_items_change_feed(is_start_from_beginning=True))) >= 1
    continuation = container.client_connection.last_response_headers.get("etag")
    repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=10)
    after_a_write = list(container.query_items_change_feed(continuation=continuation))
    assert after_a_write == []
