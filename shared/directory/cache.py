"""A per-process cache of directory lookups: bounded in size and in age, safe between threads.

A warm request costs no directory call (contract §5). Entries are keyed by tenant and object id and by
tenant and lower-case UPN; both keys of a user hold the same entry. "No such user" is cached too, for
a shorter time, so a client asking again and again for a user who does not exist costs Graph one call
per `negative_ttl`, while a user created a moment ago becomes visible soon.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from shared.models import DirectoryUser

#: A cache key: (tenant id, "id" or "upn", lower-case object id or UPN).
Key = tuple[str, str, str]


def id_key(tenant_id: str, object_id: str) -> Key:
    return (tenant_id, "id", object_id.lower())


def upn_key(tenant_id: str, upn: str) -> Key:
    return (tenant_id, "upn", upn.lower())


@dataclass(frozen=True)
class CachePolicy:
    """How much the cache holds and for how long (seconds)."""

    size: int = 10_000
    ttl: float = 300.0
    negative_ttl: float = 30.0


class _Entry:
    __slots__ = ("expires", "user")

    def __init__(self, user: DirectoryUser | None, expires: float) -> None:
        self.user = user
        self.expires = expires


class DirectoryCache:
    """Least recently used entries go first once `size` is reached; expired entries are never returned."""

    def __init__(self, policy: CachePolicy | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy or CachePolicy()
        self._clock = clock
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> tuple[bool, DirectoryUser | None]:
        """(True, user) on a hit — user None meaning "no such user" — or (False, None) on a miss."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False, None
            if entry.expires <= self._clock():
                del self._entries[key]
                return False, None
            self._entries.move_to_end(key)
            return True, entry.user

    def put(self, keys: Iterable[Key], user: DirectoryUser | None) -> None:
        """Remember `user` (or that there is none) under every key in `keys`."""
        ttl = self.policy.ttl if user is not None else self.policy.negative_ttl
        if ttl <= 0 or self.policy.size <= 0:
            return
        with self._lock:
            entry = _Entry(user, self._clock() + ttl)
            for key in keys:
                self._entries[key] = entry
                self._entries.move_to_end(key)
            while len(self._entries) > self.policy.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
