"""Every retry and time budget of the Cosmos adapter, in one place.

Two layers retry, and nothing else does:

1. The SDK, inside one call (`CosmosTimeouts`, handed to the client): 429 a few times within a
   short cumulative wait, a failed connect once, a failed read once. Writes are never resent by the
   SDK (a write that timed out may have committed).
2. The adapter, around a read-decide-write cycle (`RETRIES`, one `Retry` per port method): only
   when the user document (the partition's version) changed or appeared between our read and our
   write. Within one process such cycles on one user are serialised by a lock (repository.py), so
   what is retried is a race with another instance. A lost race is contention, not a client
   conflict: we re-read and decide again, with a jittered exponential back-off, within an attempt
   count AND a wall-clock budget; past either, the answer is 503 with Retry-After. Facet-level
   ETag conflicts are never retried here: a replace is one if-match write, and the service
   retries PATCH itself on PreconditionFailed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from shared.errors import ServiceUnavailable

#: Seconds a client is asked to wait when the store is unreachable or failing.
UNAVAILABLE_RETRY_AFTER = 5
#: Seconds a client is asked to wait when other requests kept changing the same user's data.
CONTENTION_RETRY_AFTER = 1


@dataclass(frozen=True)
class CosmosTimeouts:
    """Client timeouts and the SDK's own retry budgets (seconds / attempts)."""

    connect: float = 3.0  # TCP + TLS connect, per attempt
    read: float = 6.0  # socket read, per attempt (the service caps one operation at 5 s)
    account_read: int = 2  # the account read done by the constructor and endpoint refreshes
    construct: float = 5.0  # absolute budget of the constructor, all attempts included
    operation: float = 10.0  # absolute budget of one operation, SDK retries included
    retry_connect: int = 1  # extra attempts after a failed connect
    retry_read: int = 1  # extra attempts after a read failure (reads only; writes are never resent)
    throttle_retries: int = 3  # SDK retries of a 429 before we answer Throttled
    throttle_max_wait: int = 4  # cumulative seconds the SDK may wait on 429s


@dataclass(frozen=True)
class Retry:
    """How the adapter retries one port method: what, how often, how long between, within what budget."""

    #: What is retried (documentation; docs/data-model.md repeats it).
    on: str
    #: Attempts in all, the first included (1: never retried).
    attempts: int = 1
    #: Upper bound of the first back-off; it doubles per attempt ("full jitter": uniform in [0, bound]).
    base_s: float = 0.0
    #: Upper bound of any one back-off.
    cap_s: float = 0.0
    #: Wall-clock budget of all attempts together (0: attempts only).
    budget_s: float = 0.0

    def tries(self) -> Iterator[int]:
        """Attempt numbers, sleeping a jittered back-off between them; 503 with Retry-After when spent.

        Use as `for _ in retry.tries(): ...; continue` on a lost race, `return` on success.
        """
        deadline = time.monotonic() + self.budget_s if self.budget_s else None
        for attempt in range(self.attempts):
            if attempt:
                delay = random.uniform(0.0, min(self.cap_s, self.base_s * 2 ** (attempt - 1)))  # noqa: S311  # jitter
                if deadline is not None and time.monotonic() + delay >= deadline:
                    break
                time.sleep(delay)
            yield attempt
        raise ServiceUnavailable(
            "The user's data is being changed by other requests. Try again.", retry_after=CONTENTION_RETRY_AFTER
        )


#: No retry in the adapter (the SDK's own retries of `CosmosTimeouts` still apply).
NEVER = Retry("nothing: one call (the SDK retries 429 and failed connects/reads itself)")
#: A lost race on the user document in a read-decide-write cycle.
CONTENTION = Retry(
    "user-document contention: its if-match replace answered 412, or its create answered 409, because "
    "another request wrote the same user's partition between our read and our write",
    attempts=20,
    base_s=0.01,
    cap_s=0.25,
    budget_s=6.0,
)
#: Create-if-not-exists: another instance created the document first.
CREATE_RACE = Retry("a create that answered 409 (another instance created it first): read it back", attempts=2)

#: The adapter's retry policy of every port method.
RETRIES: Mapping[str, Retry] = MappingProxyType(
    {
        "record_user": CONTENTION,  # user document create / if-match replace (the UPN index is upserted)
        "get_user": NEVER,
        "find_user_by_upn": NEVER,
        "create_profile": CONTENTION,
        "delete_profile": CONTENTION,  # every batch starts with the user document's if-match replace
        "add_facet": CONTENTION,  # [user doc, idempotency record, facet] in one batch
        "get_facet": NEVER,
        "list_facets": NEVER,
        "scan_facets": NEVER,  # one query, read as the caller iterates
        "read_changes": NEVER,  # one query a page (change tracking)
        "latest_cursor": NEVER,
        # [user doc, facet if-match] in one batch; a 412 on the facet is the caller's answer
        "replace_facet": CONTENTION,
        "delete_facet": CONTENTION,  # [user doc, facet] in one batch; a 412 on the facet is the caller's answer
        "secret": CREATE_RACE,
        "close": NEVER,
    }
)
