"""The directory cache: bounded size (least recently used go first), bounded age, negative entries."""

from __future__ import annotations

from shared.directory.cache import CachePolicy, DirectoryCache, id_key, upn_key
from shared.models import DirectoryUser

T = "tenant"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def user(n: int) -> DirectoryUser:
    return DirectoryUser(tenant_id=T, object_id=f"oid-{n}", user_principal_name=f"u{n}@x.test")


def test_a_user_is_found_under_both_keys_until_it_expires() -> None:
    clock = Clock()
    cache = DirectoryCache(CachePolicy(ttl=300), clock=clock)
    cache.put([id_key(T, "OID-1"), upn_key(T, "U1@X.test")], user(1))
    assert cache.get(id_key(T, "oid-1")) == (True, user(1))
    assert cache.get(upn_key(T, "u1@x.TEST")) == (True, user(1))
    clock.now += 299
    assert cache.get(id_key(T, "oid-1"))[0]
    clock.now += 1
    assert cache.get(id_key(T, "oid-1")) == (False, None)
    assert cache.get(upn_key(T, "u1@x.test")) == (False, None)


def test_no_such_user_is_remembered_for_the_shorter_time() -> None:
    clock = Clock()
    cache = DirectoryCache(CachePolicy(ttl=300, negative_ttl=30), clock=clock)
    cache.put([upn_key(T, "ghost@x.test")], None)
    assert cache.get(upn_key(T, "ghost@x.test")) == (True, None)
    clock.now += 30
    assert cache.get(upn_key(T, "ghost@x.test")) == (False, None)


def test_keys_are_per_tenant() -> None:
    cache = DirectoryCache()
    cache.put([id_key("a", "oid-1")], user(1))
    assert cache.get(id_key("b", "oid-1")) == (False, None)


def test_the_size_is_bounded_and_recent_use_keeps_an_entry() -> None:
    cache = DirectoryCache(CachePolicy(size=3))
    for n in range(3):
        cache.put([id_key(T, f"oid-{n}")], user(n))
    assert cache.get(id_key(T, "oid-0"))[0]  # used: now the most recent
    cache.put([id_key(T, "oid-3")], user(3))
    assert len(cache) == 3
    assert not cache.get(id_key(T, "oid-1"))[0]
    assert all(cache.get(id_key(T, f"oid-{n}"))[0] for n in (0, 2, 3))


def test_a_zero_size_or_age_caches_nothing() -> None:
    for policy in (CachePolicy(size=0), CachePolicy(ttl=0, negative_ttl=0)):
        cache = DirectoryCache(policy)
        cache.put([id_key(T, "oid-1")], user(1))
        cache.put([id_key(T, "oid-2")], None)
        assert len(cache) == 0
