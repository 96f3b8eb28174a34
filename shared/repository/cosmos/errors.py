"""The one route from an azure-cosmos / azure-core failure to the API's error table (contract §6).

Every call into the SDK goes through `Store` (store.py), which hands any exception to `route()`:

| Cosmos failure                                          | becomes                                    |
|---------------------------------------------------------|--------------------------------------------|
| 404, 409, 412 on an item (single operation or a batch's | `Refused(status, index)`: an answer for the |
| failing operation)                                      | repository to interpret (absent, lost race, |
|                                                         | duplicate, stale ETag); it never leaves     |
|                                                         | the package                                 |
| 429 after the SDK's retries                             | `Throttled`, Retry-After = x-ms-retry-after-ms |
|                                                         | rounded up to seconds, at least 1           |
| anything else: 408, 449, 5xx, 400, 401, 403, 413, a      | `ServiceUnavailable(retry_after=5)`         |
| missing database/container, no connection, a timeout,   |                                            |
| a credential without a token, any unexpected exception  |                                            |
| raised inside the SDK                                   |                                            |

A store failure is never a 500. Failures that point at a bug or a misconfiguration rather than a
passing outage (4xx other than the above, a missing container, an exception the SDK should not raise)
are logged with their cause, server side only. No SDK text reaches a message: messages are fixed
sentences, and the SDK error is kept only as `__cause__`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from shared.errors import ApiError, ServiceUnavailable, Throttled
from shared.repository.cosmos.policy import UNAVAILABLE_RETRY_AFTER

log = logging.getLogger("profile_api.cosmos")

_RETRY_AFTER_MS = "x-ms-retry-after-ms"
#: Sub-status of a 404 whose database or container (not the item) is missing.
OWNER_NOT_FOUND = 1003
#: Statuses of a single item that the repository interprets itself.
ITEM_STATUSES = frozenset({404, 409, 412})
#: Statuses that mean "the store is having a moment", not "something is wrong with us".
_TRANSIENT = frozenset({408, 449, 500, 502, 503, 504})

UNAVAILABLE = "The profile store is unavailable."
UNREACHABLE = "The profile store could not be reached."
THROTTLED = "Too many requests to the profile store."


class Refused(Exception):
    """The store refused one item operation with 404, 409 or 412 (internal to the package).

    `index` is the failing operation of a transactional batch (None for a single operation). A
    transactional batch is all or nothing: when one operation fails, none is applied (the others
    answer 424), so the repository only decides again from a fresh read.
    """

    def __init__(self, status: int, *, index: int | None = None) -> None:
        super().__init__(f"refused with {status}")
        self.status, self.index = status, index

    @property
    def lost_race(self) -> bool:
        """True when the user document's write (operation 0, or a single write) lost to another writer."""
        return self.index in (None, 0) and self.status in (409, 412)

    def unexpected(self) -> ServiceUnavailable:
        """This refusal where the repository's reasoning says it cannot happen: a store failure (logged)."""
        log.error("Cosmos DB refused an operation unexpectedly: status %s at batch index %s", self.status, self.index)
        return ServiceUnavailable(UNAVAILABLE, retry_after=UNAVAILABLE_RETRY_AFTER)


class StoreMissing(Exception):
    """The database or the container named by the settings does not exist."""


def route(error: BaseException) -> Refused | ApiError:
    """What a failure inside the SDK means for the repository: an item answer, or the API's error."""
    if isinstance(error, (ApiError, Refused)):
        return error
    status = status_of(error)
    if status in ITEM_STATUSES and not _owner_missing(error):
        return _refused(error, status)
    return to_api_error(error)


def to_api_error(error: BaseException) -> ApiError:
    """The API error for a store failure: 429 Throttled or 503 ServiceUnavailable, never a 500."""
    if isinstance(error, ApiError):
        return error
    from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError

    status = status_of(error)
    if status == 429:
        headers = getattr(error, "headers", None)
        return Throttled(THROTTLED, retry_after=retry_after_seconds(headers if isinstance(headers, Mapping) else None))
    if isinstance(error, ClientAuthenticationError):
        log.warning("Cosmos DB credential could not get a token: %s", type(error).__name__)
        return ServiceUnavailable(UNREACHABLE, retry_after=UNAVAILABLE_RETRY_AFTER)
    expected = (
        (isinstance(error, HttpResponseError) and status in _TRANSIENT)
        or (isinstance(error, AzureError) and not isinstance(error, HttpResponseError))
        or isinstance(error, (OSError, TimeoutError))
    )
    if not expected:  # a misconfiguration or a bug (ours or the SDK's): keep the cause for the operator
        log.error("Cosmos DB call failed: %s (status %s)", type(error).__name__, status, exc_info=error)
    return ServiceUnavailable(UNAVAILABLE, retry_after=UNAVAILABLE_RETRY_AFTER)


def status_of(error: BaseException) -> int | None:
    """The HTTP status of an SDK error (for a batch: of the failing operation), else None."""
    responses = getattr(error, "operation_responses", None)
    index = getattr(error, "error_index", None)
    if responses and isinstance(index, int) and 0 <= index < len(responses):
        code = responses[index].get("statusCode")
        if isinstance(code, int):
            return code
    code = getattr(error, "status_code", None)
    return code if isinstance(code, int) else None


def retry_after_seconds(headers: Mapping[str, Any] | None, default: int = 1) -> int:
    """`x-ms-retry-after-ms` rounded up to whole seconds, at least 1."""
    raw = None
    if headers:
        raw = next((value for key, value in list(headers.items()) if str(key).lower() == _RETRY_AFTER_MS), None)
    try:
        millis = float(raw) if raw is not None else default * 1000.0
    except (TypeError, ValueError):
        millis = default * 1000.0
    if not math.isfinite(millis):
        millis = default * 1000.0
    return max(1, math.ceil(millis / 1000.0))


def _owner_missing(error: BaseException) -> bool:
    return status_of(error) == 404 and getattr(error, "sub_status", None) == OWNER_NOT_FOUND


def _refused(error: BaseException, status: int) -> Refused:
    responses = getattr(error, "operation_responses", None)
    index = getattr(error, "error_index", None)
    if not responses or not isinstance(index, int):
        return Refused(status)
    return Refused(status, index=index)
