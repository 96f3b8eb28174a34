"""The repository port's contract, part 2: facets on every adapter, for several facet types.

add/get/list/replace/delete, list_facets over several collections, ETags and If-Match (the one rule,
`etag_matches`), quotas per collection, duplicate ids, idempotency records, tenant isolation and
concurrent writers.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.errors import (
    Conflict,
    IdempotencyReplay,
    NotFound,
    PreconditionFailed,
    QuotaExceeded,
    ServiceUnavailable,
)
from shared.facets.catalog import FACET_TYPES
from shared.models import Versioned
from shared.repository.port import etag_matches
from tests.contract.helpers import ACCOUNT, POSITIONS, SKILLS, changed, facet, guid, idempotency_record, record

NOT_FOUND = "The facet does not exist."
STALE = "The entity tag does not match the current version of the facet."


def _add(repo, tenant, oid, facet_type, made=None, *, max_count=100, idempotency=None):
    return repo.add_facet(
        tenant, oid, facet_type, made or facet(facet_type), max_count=max_count, idempotency=idempotency
    )


def _ids(repo, tenant, oid, facet_type) -> set[str]:
    return {item.value["id"] for item in repo.list_facets(tenant, oid, [facet_type])[facet_type.collection]}


def _is_etag(value: object) -> bool:
    return isinstance(value, str) and len(value) > 2 and value[0] == value[-1] == '"'


# --- add, get, list ---------------------------------------------------------------------------
def test_add_then_get_returns_the_stored_facet_unchanged(repo, tenant, oid, facet_type):
    made = facet(facet_type, inference={"confidenceScore": 0.123456789, "userHasVerifiedAccuracy": False})
    stored = _add(repo, tenant, oid, facet_type, made)
    assert stored.value == made and _is_etag(stored.etag)
    assert repo.get_facet(tenant, oid, facet_type, made["id"]) == Versioned(made, stored.etag)


def test_get_of_a_missing_facet_is_none(repo, tenant, oid, facet_type):
    made = _add(repo, tenant, oid, facet_type).value
    other_type = SKILLS if facet_type is not SKILLS else POSITIONS
    assert repo.get_facet(tenant, oid, facet_type, guid()) is None
    assert repo.get_facet(tenant, oid, other_type, made["id"]) is None  # ids live per collection
    assert repo.get_facet(tenant, guid(), facet_type, made["id"]) is None  # per user
    assert repo.get_facet(guid(), oid, facet_type, made["id"]) is None  # per tenant


def test_list_returns_every_facet_of_the_collection(repo, tenant, oid, facet_type):
    stored = [_add(repo, tenant, oid, facet_type) for _ in range(5)]
    listed = repo.list_facets(tenant, oid, [facet_type])
    assert list(listed) == [facet_type.collection]
    assert sorted(listed[facet_type.collection], key=lambda item: item.value["id"]) == sorted(
        stored, key=lambda item: item.value["id"]
    )


def test_list_facets_answers_several_collections_in_one_call(repo, tenant, oid):
    skills = {_add(repo, tenant, oid, SKILLS).value["id"] for _ in range(3)}
    positions = {_add(repo, tenant, oid, POSITIONS).value["id"]}
    everything = repo.list_facets(tenant, oid, FACET_TYPES)
    assert set(everything) == {facet_type.collection for facet_type in FACET_TYPES}
    assert {item.value["id"] for item in everything["skills"]} == skills
    assert {item.value["id"] for item in everything["positions"]} == positions
    assert all(items == [] for name, items in everything.items() if name not in ("skills", "positions"))
    some = repo.list_facets(tenant, oid, [ACCOUNT, SKILLS])
    assert set(some) == {"account", "skills"} and some["account"] == []
    assert {item.value["id"] for item in some["skills"]} == skills
    assert repo.list_facets(tenant, oid, []) == {}


def test_list_facets_of_a_user_with_nothing_stored(repo, tenant, oid):
    assert repo.list_facets(tenant, oid, FACET_TYPES) == {facet_type.collection: [] for facet_type in FACET_TYPES}


# --- replace, delete --------------------------------------------------------------------------
def test_replace_stores_the_new_value_and_a_new_etag(repo, tenant, oid, facet_type):
    first = _add(repo, tenant, oid, facet_type)
    new = changed(first.value)
    second = repo.replace_facet(tenant, oid, facet_type, new, if_match=first.etag)
    assert second.value == new and _is_etag(second.etag) and second.etag != first.etag
    assert repo.get_facet(tenant, oid, facet_type, new["id"]) == second
    assert repo.list_facets(tenant, oid, [facet_type])[facet_type.collection] == [second]


def test_delete_removes_only_that_facet(repo, tenant, oid, facet_type):
    gone, kept = _add(repo, tenant, oid, facet_type), _add(repo, tenant, oid, facet_type)
    repo.delete_facet(tenant, oid, facet_type, gone.value["id"], if_match=gone.etag)
    assert repo.get_facet(tenant, oid, facet_type, gone.value["id"]) is None
    assert repo.list_facets(tenant, oid, [facet_type])[facet_type.collection] == [kept]


@pytest.mark.parametrize("if_match", [None, "*", '"any"'])
def test_replace_and_delete_of_a_missing_facet_are_not_found(repo, tenant, oid, facet_type, if_match):
    elsewhere = _add(repo, tenant, oid, SKILLS if facet_type is not SKILLS else POSITIONS).value
    for facet_id in (guid(), elsewhere["id"]):  # an id of another collection is not this collection's
        with pytest.raises(NotFound) as replaced:
            repo.replace_facet(tenant, oid, facet_type, facet(facet_type, facet_id), if_match=if_match)
        with pytest.raises(NotFound) as deleted:
            repo.delete_facet(tenant, oid, facet_type, facet_id, if_match=if_match)
        assert replaced.value.message == deleted.value.message == NOT_FOUND
        assert repo.get_facet(tenant, oid, facet_type, facet_id) is None


# --- ETags and If-Match -----------------------------------------------------------------------
PRECONDITIONS = {
    "none": lambda stale, current: None,
    "star": lambda stale, current: "*",
    "current": lambda stale, current: current,
    "tuple with the current tag": lambda stale, current: ('"other"', current, stale),
    "stale": lambda stale, current: stale,
    "tuple of stale tags": lambda stale, current: (stale, '"other"'),
    "current tag unquoted": lambda stale, current: current.strip('"'),
    "empty tuple": lambda stale, current: (),
}


@pytest.fixture(params=list(PRECONDITIONS))
def precondition(request):
    return request.param


def _versions(repo, tenant, oid, facet_type):
    """A facet written twice: (the stale first version, the current second one)."""
    first = _add(repo, tenant, oid, facet_type)
    return first, repo.replace_facet(tenant, oid, facet_type, changed(first.value), if_match=None)


def test_replace_honours_if_match(repo, tenant, oid, facet_type, precondition):
    stale, current = _versions(repo, tenant, oid, facet_type)
    if_match = PRECONDITIONS[precondition](stale.etag, current.etag)
    newer = changed(current.value, isSearchable=False)
    if etag_matches(if_match, current.etag):
        assert precondition in ("none", "star", "current", "tuple with the current tag")
        result = repo.replace_facet(tenant, oid, facet_type, newer, if_match=if_match)
        assert repo.get_facet(tenant, oid, facet_type, newer["id"]) == result and result.value == newer
    else:
        with pytest.raises(PreconditionFailed) as refused:
            repo.replace_facet(tenant, oid, facet_type, newer, if_match=if_match)
        assert refused.value.message == STALE
        assert repo.get_facet(tenant, oid, facet_type, newer["id"]) == current  # nothing written


def test_delete_honours_if_match(repo, tenant, oid, facet_type, precondition):
    stale, current = _versions(repo, tenant, oid, facet_type)
    if_match = PRECONDITIONS[precondition](stale.etag, current.etag)
    facet_id = current.value["id"]
    if etag_matches(if_match, current.etag):
        repo.delete_facet(tenant, oid, facet_type, facet_id, if_match=if_match)
        assert repo.get_facet(tenant, oid, facet_type, facet_id) is None
    else:
        with pytest.raises(PreconditionFailed) as refused:
            repo.delete_facet(tenant, oid, facet_type, facet_id, if_match=if_match)
        assert refused.value.message == STALE
        assert repo.get_facet(tenant, oid, facet_type, facet_id) == current


def test_etag_changes_on_every_write(repo, tenant, oid, facet_type):
    version = _add(repo, tenant, oid, facet_type)
    tags = [version.etag]
    for _ in range(3):
        version = repo.replace_facet(tenant, oid, facet_type, changed(version.value), if_match=version.etag)
        tags.append(version.etag)
    repo.delete_facet(tenant, oid, facet_type, version.value["id"], if_match=version.etag)
    again = _add(repo, tenant, oid, facet_type, version.value)  # the same id and value, created again
    tags.append(again.etag)
    assert len(set(tags)) == len(tags) and all(_is_etag(tag) for tag in tags)
    with pytest.raises(PreconditionFailed):
        repo.replace_facet(tenant, oid, facet_type, again.value, if_match=version.etag)


def test_concurrent_replaces_with_one_etag_exactly_one_wins(repo, tenant, oid):
    first = _add(repo, tenant, oid, POSITIONS)
    start = threading.Barrier(8)

    def attempt(n: int) -> Versioned | None:
        start.wait()
        try:
            return repo.replace_facet(
                tenant, oid, POSITIONS, changed(first.value, isCurrent=n % 2 == 0), if_match=first.etag
            )
        except PreconditionFailed:
            return None

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    winners = [outcome for outcome in outcomes if outcome is not None]
    assert len(winners) == 1
    assert repo.get_facet(tenant, oid, POSITIONS, first.value["id"]) == winners[0]


# --- quota ------------------------------------------------------------------------------------
def test_quota_counts_one_collection_only(repo, tenant, oid):
    for _ in range(2):
        _add(repo, tenant, oid, SKILLS, max_count=2)
    for _ in range(2):
        _add(repo, tenant, oid, POSITIONS, max_count=2)  # skills being full does not count here
    _add(repo, tenant, oid, ACCOUNT, max_count=1)
    refused = facet(SKILLS)
    with pytest.raises(QuotaExceeded):
        _add(repo, tenant, oid, SKILLS, refused, max_count=2, idempotency=record("refused"))
    assert repo.get_facet(tenant, oid, SKILLS, refused["id"]) is None
    assert idempotency_record(repo, tenant, oid, "refused") is None
    assert len(_ids(repo, tenant, oid, SKILLS)) == 2
    _add(repo, tenant, oid, SKILLS, max_count=3)  # the limit is the caller's, per call


def test_quota_refusal_writes_nothing_not_even_the_marker(repo, tenant, oid, facet_type):
    with pytest.raises(QuotaExceeded):
        _add(repo, tenant, oid, facet_type, max_count=0, idempotency=record("nothing"))
    assert repo.list_facets(tenant, oid, [facet_type]) == {facet_type.collection: []}
    assert idempotency_record(repo, tenant, oid, "nothing") is None
    repo.create_profile(tenant, oid)  # no marker was set


def test_deleting_a_facet_frees_quota(repo, tenant, oid, facet_type):
    only = _add(repo, tenant, oid, facet_type, max_count=1)
    repo.delete_facet(tenant, oid, facet_type, only.value["id"], if_match=None)
    _add(repo, tenant, oid, facet_type, max_count=1)
    with pytest.raises(QuotaExceeded):
        _add(repo, tenant, oid, facet_type, max_count=1)


def test_concurrent_adds_never_exceed_the_quota(repo, tenant, oid):
    """Every outcome is true to the store; an adapter may answer a contended write 503 (retryable)."""
    start = threading.Barrier(12)

    def attempt(_: int) -> str:
        start.wait()
        try:
            _add(repo, tenant, oid, SKILLS, max_count=5)
        except QuotaExceeded:
            return "quota"
        except ServiceUnavailable:
            return "busy"
        return "added"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(attempt, range(12)))
    added = outcomes.count("added")
    assert 1 <= added <= 5 and len(_ids(repo, tenant, oid, SKILLS)) == added
    assert outcomes.count("quota") == 0 or added == 5  # refused only when the collection was full
    for _ in range(5 - added):  # top up one at a time: the count is exact
        _add(repo, tenant, oid, SKILLS, max_count=5)
    with pytest.raises(QuotaExceeded):
        _add(repo, tenant, oid, SKILLS, max_count=5)
    assert len(_ids(repo, tenant, oid, SKILLS)) == 5


def test_concurrent_adds_for_many_users_all_land(repo, tenant):
    users = [guid() for _ in range(8)]
    start = threading.Barrier(len(users))

    def add_three(oid: str) -> set[str]:
        start.wait()
        return {_add(repo, tenant, oid, SKILLS, max_count=3).value["id"] for _ in range(3)}

    with ThreadPoolExecutor(len(users)) as pool:
        added = dict(zip(users, pool.map(add_three, users), strict=True))
    assert all(_ids(repo, tenant, oid, SKILLS) == ids for oid, ids in added.items())


# --- duplicate ids ----------------------------------------------------------------------------
def test_duplicate_id_is_conflict_and_changes_nothing(repo, tenant, oid, facet_type):
    first = _add(repo, tenant, oid, facet_type)
    again = facet(facet_type, first.value["id"])
    with pytest.raises(Conflict):
        _add(repo, tenant, oid, facet_type, again, idempotency=record("duplicate"))
    assert repo.get_facet(tenant, oid, facet_type, first.value["id"]) == first
    assert idempotency_record(repo, tenant, oid, "duplicate") is None
    assert len(_ids(repo, tenant, oid, facet_type)) == 1


def test_the_same_id_in_another_collection_is_another_facet(repo, tenant, oid):
    shared_id = guid()
    skill = _add(repo, tenant, oid, SKILLS, facet(SKILLS, shared_id))
    position = _add(repo, tenant, oid, POSITIONS, facet(POSITIONS, shared_id))
    assert repo.get_facet(tenant, oid, SKILLS, shared_id) == skill
    assert repo.get_facet(tenant, oid, POSITIONS, shared_id) == position
    repo.delete_facet(tenant, oid, SKILLS, shared_id, if_match=None)
    assert repo.get_facet(tenant, oid, POSITIONS, shared_id) == position


# --- idempotency ------------------------------------------------------------------------------
def test_idempotency_record_is_stored_with_the_facet(repo, tenant, oid, facet_type):
    made = facet(facet_type)
    kept = record("key-1", resource_id=made["id"])
    _add(repo, tenant, oid, facet_type, made, idempotency=kept)
    assert idempotency_record(repo, tenant, oid, "key-1") == kept
    assert idempotency_record(repo, tenant, oid, "key-2") is None
    assert idempotency_record(repo, tenant, guid(), "key-1") is None  # per user
    assert idempotency_record(repo, guid(), oid, "key-1") is None  # per tenant


def test_replay_raises_and_writes_nothing(repo, tenant, oid, facet_type):
    first = facet(facet_type)
    kept = record("key-1", resource_id=first["id"])
    stored = _add(repo, tenant, oid, facet_type, first, idempotency=kept)
    second = facet(facet_type)
    with pytest.raises(IdempotencyReplay) as replay:
        _add(repo, tenant, oid, facet_type, second, idempotency=record("key-1", resource_id=second["id"]))
    assert replay.value.record == kept
    assert repo.get_facet(tenant, oid, facet_type, second["id"]) is None
    assert repo.list_facets(tenant, oid, [facet_type])[facet_type.collection] == [stored]
    assert idempotency_record(repo, tenant, oid, "key-1") == kept  # the original record is kept


def test_a_key_is_per_user_not_per_collection(repo, tenant, oid):
    kept = record("key-c")
    _add(repo, tenant, oid, SKILLS, idempotency=kept)
    with pytest.raises(IdempotencyReplay) as replay:
        _add(repo, tenant, oid, POSITIONS, idempotency=record("key-c"))
    assert replay.value.record == kept and _ids(repo, tenant, oid, POSITIONS) == set()
    _add(repo, tenant, guid(), SKILLS, idempotency=record("key-c"))  # another user: no replay


def test_replay_wins_over_quota(repo, tenant, oid):
    kept = record("key-q")
    _add(repo, tenant, oid, SKILLS, max_count=1, idempotency=kept)
    with pytest.raises(IdempotencyReplay):
        _add(repo, tenant, oid, SKILLS, max_count=1, idempotency=record("key-q"))


def test_an_expired_record_is_gone_and_its_key_reusable(repo, tenant, oid, facet_type):
    _add(repo, tenant, oid, facet_type, idempotency=record("old", ttl=-10))
    assert idempotency_record(repo, tenant, oid, "old") is None
    fresh = record("old")
    _add(repo, tenant, oid, facet_type, idempotency=fresh)
    assert idempotency_record(repo, tenant, oid, "old") == fresh
    assert len(_ids(repo, tenant, oid, facet_type)) == 2


# --- tenants ------------------------------------------------------------------------------------
def test_the_same_object_id_in_two_tenants_never_meets(repo, oid):
    home, other = guid(), guid()
    stored = _add(repo, home, oid, SKILLS, idempotency=record("k"))
    assert repo.list_facets(other, oid, [SKILLS]) == {"skills": []}
    assert idempotency_record(repo, other, oid, "k") is None
    with pytest.raises(NotFound):
        repo.delete_facet(other, oid, SKILLS, stored.value["id"], if_match=None)
    _add(repo, other, oid, SKILLS, max_count=1)  # home's facet does not count against other's quota
    repo.delete_profile(other, oid)
    assert repo.get_facet(home, oid, SKILLS, stored.value["id"]) == stored
