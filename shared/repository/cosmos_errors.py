"""Turn azure-cosmos / azure-core failures into `shared.errors` (contract §6): no SDK text leaves.

| Cosmos failure                                   | raised                                   |
|--------------------------------------------------|------------------------------------------|
| 409                                              | Conflict                                 |
| 412                                              | PreconditionFailed                       |
| 404 (only where "absent" is not an answer)       | NotFound (sub-status 1003, no container: 500) |
| 429 after the SDK's own retries                  | Throttled(retry_after=ceil(x-ms-retry-after-ms / 1000), >= 1) |
| 408, 449, 5xx, connection / timeout / no reply   | ServiceUnavailable(retry_after=5)        |
| credential cannot get a token                    | ServiceUnavailable(retry_after=5)        |
| anything else (400, 401, 403, 413, ...)          | ApiError (500 generalException)          |
"""
from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError

from shared.errors import ApiError, Conflict, NotFound, PreconditionFailed, ServiceUnavailable, Throttled

log = logging.getLogger("profile_api.cosmos")

#: Seconds a client is asked to wait when the store is unreachable.
UNAVAILABLE_RETRY_AFTER = 5
_RETRY_AFTER_MS = "x-ms-retry-after-ms"
#: Sub-status of a 404 whose database or container (not the item) is missing.
OWNER_NOT_FOUND = 1003


def status_of(error: BaseException) -> int | None:
    """The HTTP status of an SDK error (for a batch: of the failing operation), else None."""
    responses = getattr(error, "operation_responses", None)
    index = getattr(error, "error_index", None)
    if responses and index is not None and 0 <= index < len(responses):
        code = responses[index].get("statusCode")
        if isinstance(code, int):
            return code
    code = getattr(error, "status_code", None)
    return code if isinstance(code, int) else None


def retry_after_seconds(headers: Mapping[str, Any] | None, default: int = 1) -> int:
    """`x-ms-retry-after-ms` rounded up to whole seconds, at least 1."""
    raw = None
    if headers:
        raw = next((v for k, v in headers.items() if str(k).lower() == _RETRY_AFTER_MS), None)
    try:
        millis = float(raw) if raw is not None else default * 1000.0
    except (TypeError, ValueError):
        millis = default * 1000.0
    return max(1, math.ceil(millis / 1000.0))


def map_error(error: BaseException) -> ApiError:
    """The API error for an SDK failure; its message never quotes the SDK.

    Failures that become a 500 are logged with their cause (server side only), so an operator
    can tell a misconfigured store from a bug.
    """
    mapped = _map(error)
    if mapped.status >= 500 and not isinstance(mapped, ServiceUnavailable):
        log.error("Cosmos DB call failed: %s (status %s)", type(error).__name__, status_of(error), exc_info=error)
    return mapped


def _map(error: BaseException) -> ApiError:
    if isinstance(error, ApiError):
        return error
    if isinstance(error, ClientAuthenticationError):
        return ServiceUnavailable("The profile store could not be reached.", retry_after=UNAVAILABLE_RETRY_AFTER)
    if isinstance(error, HttpResponseError):
        status = status_of(error)
        if status == 409:
            return Conflict("The item already exists.")
        if status == 412:
            return PreconditionFailed("The item was modified since it was read.")
        if status == 404 and getattr(error, "sub_status", None) == OWNER_NOT_FOUND:
            return ApiError("The profile store's database or container does not exist.")
        if status == 404:
            return NotFound("The item was not found.")
        if status == 429:
            return Throttled("Too many requests to the profile store.", retry_after=retry_after_seconds(error.headers))
        if status in (408, 449) or (status is not None and status >= 500):
            return ServiceUnavailable("The profile store is unavailable.", retry_after=UNAVAILABLE_RETRY_AFTER)
        return ApiError("The profile store rejected the request.")
    if isinstance(error, AzureError):  # ServiceRequestError, ServiceResponseError, CosmosClientTimeoutError, ...
        return ServiceUnavailable("The profile store is unavailable.", retry_after=UNAVAILABLE_RETRY_AFTER)
    if isinstance(error, (OSError, TimeoutError)):
        return ServiceUnavailable("The profile store is unavailable.", retry_after=UNAVAILABLE_RETRY_AFTER)
    return ApiError("The profile store failed.")


def raise_mapped(error: BaseException) -> NoReturn:
    """Raise the API error for `error`, keeping the SDK error as the cause (for logs only)."""
    raise map_error(error) from error


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Inside this block, every SDK failure surfaces as a `shared.errors.ApiError`."""
    try:
        yield
    except ApiError:
        raise
    except (AzureError, OSError, ValueError) as error:
        raise_mapped(error)
