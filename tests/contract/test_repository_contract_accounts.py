"""The ProfileRepository contract, part 2: listing and paging, concurrency, ETags, tenant isolation."""
from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.errors import Conflict, NotFound, PreconditionFailed, QuotaExceeded
from shared.repository.port import BadCursor
from tests.contract.helpers import account, guid, profile, record, stamp, user


def _add(repo, tenant, oid, acc=None, max_accounts=100, **kw):
    return repo.add_account(tenant, oid, acc or account(), profile_if_missing=profile(), max_accounts=max_accounts, **kw)


def _all_ids(repo, tenant, oid, limit=2):
    ids, cursor = [], None
    while True:
        page = repo.list_accounts(tenant, oid, limit=limit, cursor=cursor)
        ids += [v.value.id for v in page.items]
        if page.cursor is None:
            return ids
        cursor = page.cursor


# --- listing ---------------------------------------------------------------------------------
def test_list_orders_by_created_then_id(repository, tenant, oid):
    same = stamp(500)
    made = [account(f"0000000{n}-0000-4000-8000-000000000000", created=same) for n in (3, 1, 2)]
    made += [account(created=stamp(100)), account(created=stamp(900))]
    for acc in made:
        _add(repository, tenant, oid, acc)
    expected = [a.id for a in sorted(made, key=lambda a: (a.createdDateTime, a.id))]
    assert [v.value.id for v in repository.list_accounts(tenant, oid, limit=10).items] == expected
    assert _all_ids(repository, tenant, oid, limit=2) == expected
    last = repository.list_accounts(tenant, oid, limit=5)
    assert len(last.items) == 5 and last.cursor is None


def test_paging_while_inserting_never_repeats_or_skips(repository, tenant, oid):
    existing = [_add(repository, tenant, oid, account(created=stamp(1000 + n))).value.id for n in range(8)]
    stop = threading.Event()

    def insert() -> None:  # earlier and later timestamps, while the main thread pages
        n = 0
        while not stop.is_set() and n < 30:
            _add(repository, tenant, oid, account(created=stamp(10 + n if n % 2 else 5000 + n)))
            n += 1

    worker = threading.Thread(target=insert)
    worker.start()
    try:
        seen, cursor = [], None
        while True:
            page = repository.list_accounts(tenant, oid, limit=2, cursor=cursor)
            seen += [v.value.id for v in page.items]
            if page.cursor is None:
                break
            cursor = page.cursor
    finally:
        stop.set()
        worker.join()
    assert len(seen) == len(set(seen)), "an item was returned twice"
    assert [i for i in seen if i in existing] == existing, "an existing item was skipped or reordered"


@pytest.mark.parametrize("cursor", ["not a cursor", "!!!", base64.urlsafe_b64encode(b"hello|world").decode(), "e30"])
def test_bad_cursor(repository, tenant, oid, cursor):
    _add(repository, tenant, oid)
    with pytest.raises(BadCursor):
        repository.list_accounts(tenant, oid, limit=1, cursor=cursor)


# --- concurrency -----------------------------------------------------------------------------
def test_concurrent_adds_never_exceed_the_quota(repository, tenant, oid):
    def attempt(_: int) -> str:
        try:
            _add(repository, tenant, oid, max_accounts=5)
            return "added"
        except QuotaExceeded:
            return "quota"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(12)))
    assert outcomes.count("added") == 5 and outcomes.count("quota") == 7
    assert len(_all_ids(repository, tenant, oid, limit=10)) == 5


def test_concurrent_adds_never_lose_the_count(repository, tenant, oid):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: _add(repository, tenant, oid, max_accounts=100), range(16)))
    assert len(_all_ids(repository, tenant, oid, limit=10)) == 16
    _add(repository, tenant, oid, max_accounts=17)
    with pytest.raises(QuotaExceeded):
        _add(repository, tenant, oid, max_accounts=17)


# --- replace / delete with ETags -------------------------------------------------------------
def test_replace_with_matching_etag_and_etags_change_on_every_write(repository, tenant, oid):
    stored = _add(repository, tenant, oid, account(country="NO"))
    etags = {stored.etag}
    current = stored
    for country in ("SE", "DK", "FI"):
        changed = current.value.model_copy(update={"countryCode": country})
        current = repository.replace_account(tenant, oid, changed, if_match=current.etag)
        assert current.etag not in etags
        etags.add(current.etag)
        got = repository.get_account(tenant, oid, stored.value.id)
        assert got.value.countryCode == country and got.etag == current.etag


def test_replace_with_stale_etag_is_refused(repository, tenant, oid):
    stored = _add(repository, tenant, oid, account(country="NO"))
    repository.replace_account(tenant, oid, stored.value.model_copy(update={"countryCode": "SE"}), if_match=None)
    with pytest.raises(PreconditionFailed):
        repository.replace_account(tenant, oid, stored.value.model_copy(update={"countryCode": "DK"}),
                                   if_match=stored.etag)
    assert repository.get_account(tenant, oid, stored.value.id).value.countryCode == "SE"


@pytest.mark.parametrize("if_match", ["*", None])
def test_replace_star_or_none_needs_only_existence(repository, tenant, oid, if_match):
    stored = _add(repository, tenant, oid, account(country="NO"))
    updated = repository.replace_account(tenant, oid, stored.value.model_copy(update={"countryCode": "IS"}),
                                         if_match=if_match)
    assert updated.value.countryCode == "IS" and updated.etag != stored.etag
    with pytest.raises(NotFound):
        repository.replace_account(tenant, oid, account(), if_match=if_match)


def test_delete_with_etags(repository, tenant, oid):
    stored = _add(repository, tenant, oid)
    with pytest.raises(PreconditionFailed):
        repository.delete_account(tenant, oid, stored.value.id, if_match='"stale"')
    assert repository.get_account(tenant, oid, stored.value.id) is not None
    repository.delete_account(tenant, oid, stored.value.id, if_match=stored.etag)
    assert repository.get_account(tenant, oid, stored.value.id) is None
    for if_match in ("*", None, stored.etag):
        with pytest.raises(NotFound):
            repository.delete_account(tenant, oid, stored.value.id, if_match=if_match)


@pytest.mark.parametrize("if_match", ["*", None])
def test_delete_star_or_none(repository, tenant, oid, if_match):
    stored = _add(repository, tenant, oid)
    repository.delete_account(tenant, oid, stored.value.id, if_match=if_match)
    assert repository.get_account(tenant, oid, stored.value.id) is None


# --- tenant isolation ------------------------------------------------------------------------
def test_same_object_id_in_two_tenants_never_meet(repository, oid):
    one, two = guid(), guid()
    repository.record_user(user(one, oid, "ada@contoso.com", "Ada"))
    stored = repository.add_account(one, oid, account(), profile_if_missing=profile(), max_accounts=1,
                                    idempotency=record("k"))
    assert repository.get_user(two, oid) is None
    assert repository.find_user_by_upn(two, "ada@contoso.com") is None
    assert repository.get_profile(two, oid) is None
    assert repository.get_account(two, oid, stored.value.id) is None
    assert repository.list_accounts(two, oid, limit=5).items == []
    assert repository.get_idempotency_record(two, oid, "k") is None
    with pytest.raises(NotFound):
        repository.delete_profile(two, oid)
    repository.add_account(two, oid, account(), profile_if_missing=profile(), max_accounts=1)  # own quota
    with pytest.raises(NotFound):
        repository.delete_account(two, oid, stored.value.id, if_match=None)
    assert repository.get_account(one, oid, stored.value.id) is not None


def test_an_existing_account_id_is_a_conflict_and_writes_nothing(repository, tenant, oid):
    first = account()
    _add(repository, tenant, oid, first)
    clash = account().model_copy(update={"id": first.id, "countryCode": "SE"})
    with pytest.raises(Conflict):
        _add(repository, tenant, oid, clash)
    assert repository.get_account(tenant, oid, first.id).value == first
    assert _all_ids(repository, tenant, oid) == [first.id]
