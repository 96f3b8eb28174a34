"""Concurrency findings on Cosmos, each reproduced against the real test server:

(a) concurrent PATCHes of different properties without If-Match could answer 412;
(b) a shared client's response-header capture raced across threads (`OrderedDict mutated during iteration`);
(c) a lost race on the user document during a burst of creates answered 409.
"""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

import pytest

from shared.auth import Principal
from shared.errors import PreconditionFailed, QuotaExceeded
from shared.repository.cosmos import CosmosRepository
from shared.repository.cosmos.connection import connection_from_settings
from shared.repository.cosmos.documents import USER_ID, user_pk
from shared.services.facets import create_facet, update_facet
from shared.services.users import Target
from tests.contract.cosmos_transports import CountingTransport, Fault, FaultTransport, is_batch, is_document_request
from tests.contract.helpers import POSITIONS, SKILLS, changed, facet, guid, together

#: Six properties of a position, one per concurrent writer (finding (a) was measured with six).
CHANGES: dict[str, Any] = {
    "allowedAudiences": "organization",
    "isSearchable": True,
    "categories": ["changed"],
    "isCurrent": False,
    "inference": {"confidenceScore": 0.5, "userHasVerifiedAccuracy": True},
    "detail": {"jobTitle": "Architect"},
}


@pytest.fixture
def repo(cosmos_settings):
    opened = CosmosRepository.from_settings(cosmos_settings)
    yield opened
    opened.close()


def _user_document(settings, tenant: str, oid: str) -> dict[str, Any]:
    """The raw user document (the partition's version), read with the SDK."""
    container = connection_from_settings(settings).container()
    return dict(container.read_item(USER_ID, partition_key=user_pk(tenant, oid)))


# --- (a) read-modify-replace under concurrency ----------------------------------------------------
def test_concurrent_read_modify_replace_of_different_properties_all_land(repo, cosmos_settings):
    """What the service does for a PATCH without If-Match: read, change one property, replace if-match
    the version read, and on PreconditionFailed read again. Every writer's property must land."""
    tenant, oid = guid(), guid()
    made = repo.add_facet(tenant, oid, POSITIONS, facet(POSITIONS), max_count=10).value
    version_before = _user_document(cosmos_settings, tenant, oid)["rev"]
    names = list(CHANGES)

    def patch(n: int) -> int:
        for attempt in range(200):
            current = repo.get_facet(tenant, oid, POSITIONS, made["id"])
            try:
                repo.replace_facet(
                    tenant,
                    oid,
                    POSITIONS,
                    changed(current.value, **{names[n]: CHANGES[names[n]]}),
                    if_match=(current.etag,),
                )
            except PreconditionFailed:
                time.sleep(random.uniform(0, 0.01))
                continue
            return attempt
        raise AssertionError("never landed")

    together(len(names), patch)
    final = repo.get_facet(tenant, oid, POSITIONS, made["id"]).value
    assert {name: final[name] for name in names} == CHANGES
    # every replace that landed took the user's next change number in its batch (delta rounds order by it)
    assert _user_document(cosmos_settings, tenant, oid)["rev"] >= version_before + len(names)


def test_concurrent_unconditional_replaces_never_answer_412(repo):
    tenant, oid = guid(), guid()
    made = repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=10).value

    def replace(n: int) -> str:
        return repo.replace_facet(tenant, oid, SKILLS, changed(made, displayName=f"v{n}"), if_match=None).etag

    assert len(set(together(8, replace))) == 8  # every write landed, each with its own ETag


def test_concurrent_patches_without_if_match_through_the_service_all_land(repo):
    """Finding (a) as measured: 6 concurrent PATCHes of different properties, no If-Match."""
    tenant = guid()
    principal = Principal(
        tenant_id=tenant,
        object_id=guid(),
        is_app=False,
        scopes=frozenset({"User.ReadWrite"}),
        roles=frozenset(),
        app_id=guid(),
        app_display_name=None,
        upn="ada@contoso.test",
        display_name="Ada",
    )
    from shared.directory.port import token_entry

    target = Target(tenant, principal.object_id, True, token_entry(principal))
    made = create_facet(repo, principal, target, POSITIONS, {"detail": {"jobTitle": "Engineer"}}, max_count=100)
    names = list(CHANGES)

    def patch(n: int) -> None:
        update_facet(repo, principal, target, POSITIONS, made.facet_id, {names[n]: CHANGES[names[n]]}, if_match=None)

    together(len(names), patch)
    final = repo.get_facet(tenant, principal.object_id, POSITIONS, made.facet_id).value
    assert all(final[name] == CHANGES[name] or name == "detail" for name in names)
    assert final["detail"]["jobTitle"] == "Architect"


# --- (b) response headers of a shared client -------------------------------------------------------
def test_a_thread_never_sees_another_threads_response_headers(cosmos_settings):
    """Deterministic form of finding (b). azure-cosmos writes the throttle counters of every finished
    request into `client_connection.last_response_headers`, one attribute shared by all threads; when
    that attribute held another thread's response headers (still being copied by that thread), the copy
    failed with "OrderedDict mutated during iteration". Here thread A's query finishes, then the main
    thread's read is throttled once: A's headers must not change."""
    throttled_once = Fault(
        lambda r: is_document_request(r) and r.method == "GET",
        times=1,
        status=429,
        headers={"x-ms-retry-after-ms": "1"},
    )
    connection = connection_from_settings(cosmos_settings, transport=FaultTransport(throttled_once))
    container = connection.container()
    pk = user_pk(guid(), guid())
    container.create_item({"id": "d", "pk": pk, "type": "probe"})
    seen: list[Any] = []

    def query_in_another_thread() -> None:
        list(
            container.query_items(
                "SELECT * FROM c WHERE c.pk = @pk",
                parameters=[{"name": "@pk", "value": pk}],
                partition_key=pk,
                response_hook=lambda headers, _: seen.append(headers),
            )
        )

    worker = threading.Thread(target=query_in_another_thread)
    worker.start()
    worker.join()
    headers = seen[-1]
    before = dict(headers.items())
    container.read_item("d", partition_key=pk)  # throttled once: its retry count is 1, thread A's 0
    assert throttled_once.hits == 1
    assert dict(headers.items()) == before
    connection.close()


def test_a_burst_of_concurrent_reads_queries_and_writes_on_one_client_all_succeed(repo):
    """The burst shape that produced finding (b)'s 500 (it needs luck to hit; the test above does not)."""
    tenant, oid = guid(), guid()
    made = [repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=100).value for _ in range(3)]

    def mixed(n: int) -> int:
        for k in range(4):
            if (n + k) % 3 == 0:
                repo.list_facets(tenant, oid, [SKILLS, POSITIONS])
            elif (n + k) % 3 == 1:
                repo.get_facet(tenant, oid, SKILLS, made[k % 3]["id"])
            else:
                repo.add_facet(tenant, guid(), SKILLS, facet(SKILLS), max_count=100)
        return n

    assert together(12, mixed) == list(range(12))


# --- (c) a burst of creates for one user ---------------------------------------------------------
def test_a_burst_of_creates_from_several_instances_all_land(cosmos_settings):
    """Instances (as separate processes would) race for the same user document, the first ones even to
    create it: losers re-read and try again within the budget; none answers 409."""
    instances = [CosmosRepository.from_settings(cosmos_settings) for _ in range(3)]
    tenant, oid = guid(), guid()

    def create(n: int) -> str:
        return instances[n % len(instances)].add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=100).value["id"]

    ids = together(6, create)
    listed = {item.value["id"] for item in instances[0].list_facets(tenant, oid, [SKILLS])["skills"]}
    assert listed == set(ids) and len(ids) == 6
    with pytest.raises(QuotaExceeded):  # and the count in the user document is exact
        instances[0].add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=6)
    for instance in instances:
        instance.close()


def test_a_burst_of_creates_through_one_instance_does_not_race(cosmos_settings):
    """One process queues its own writes to one user: 12 creates are exactly 12 batches, no lost race."""
    transport = CountingTransport()
    repo = CosmosRepository.from_settings(cosmos_settings, transport=transport)
    tenant, oid = guid(), guid()
    repo.get_user(tenant, oid)  # connect
    transport.reset()
    ids = together(12, lambda _: repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=100).value["id"])
    assert len(set(ids)) == 12 and transport.batches == 12 and transport.reads == 12
    repo.close()


# --- a batch that fails part-way --------------------------------------------------------------------
def test_a_conditional_delete_that_loses_to_a_replace_changes_nothing(cosmos_settings):
    """The facet is replaced between delete_facet's read and its batch, so the batch's delete fails on the
    caller's ETag (412) after operation 0 (the user document's count) succeeded. A transactional batch
    is all or nothing: the service applies none of it and answers 424 for the other operations. That
    answer is injected here, because the test server applies a batch's operations one by one without
    rollback (docs/data-model.md); the adapter takes the 412 as it is and writes nothing more."""
    other = CosmosRepository.from_settings(cosmos_settings)
    tenant, oid = guid(), guid()
    first = other.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=10)
    replaced: list[Any] = []

    def replace_first_then_answer_as_the_service(request) -> bool:
        if is_batch(request) and not replaced:
            replaced.append(other.replace_facet(tenant, oid, SKILLS, changed(first.value), if_match=None))
            return True
        return False

    service_answer = json.dumps([{"statusCode": 424, "requestCharge": 0}, {"statusCode": 412, "requestCharge": 0}])
    transport = FaultTransport(
        Fault(replace_first_then_answer_as_the_service, status=207, body=service_answer.encode())
    )
    racing = CosmosRepository.from_settings(cosmos_settings, transport=transport)
    with pytest.raises(PreconditionFailed):
        racing.delete_facet(tenant, oid, SKILLS, first.value["id"], if_match=first.etag)
    assert transport.batches == 1 and transport.writes == 1, "no compensating write after a failed batch"
    assert racing.get_facet(tenant, oid, SKILLS, first.value["id"]) == replaced[0]
    with pytest.raises(QuotaExceeded):  # still one skill counted
        racing.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=1)
    other.close()
    racing.close()
