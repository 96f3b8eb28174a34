"""The one error table: every failure the API reports, with its HTTP status and Graph error code.

Services and adapters raise these; the HTTP edge turns them into Graph's error envelope. Nothing else
becomes a response, so an unexpected exception is a 500 `generalException` with no internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.models import IdempotencyRecord


@dataclass(frozen=True)
class FieldError:
    """One field-level validation problem, reported in the envelope's `details`."""

    code: str
    message: str
    target: str


class ApiError(Exception):
    """Base of every error the API reports. `status` and `code` are fixed per class."""

    status: int = 500
    code: str = "generalException"

    def __init__(
        self,
        message: str,
        *,
        details: tuple[FieldError, ...] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = dict(headers or {})


class BadRequest(ApiError):
    status, code = 400, "invalidRequest"


class DelegatedOnly(BadRequest):
    """400 with Graph's own code for a `me` route called with an app-only token (Graph says `BadRequest` there)."""

    status, code = 400, "BadRequest"


class SyncStateNotFound(BadRequest):
    """400 with Graph's code for a delta token past the retention window, or one the store does not know
    (contract §12): the client restarts with a full synchronization."""

    status, code = 400, "syncStateNotFound"


class Unauthorized(ApiError):
    """401. `error` is the RFC 6750 error attribute (None when no credentials were sent)."""

    status, code = 401, "InvalidAuthenticationToken"

    def __init__(self, message: str, *, error: str | None = "invalid_token") -> None:
        challenge = 'Bearer realm=""'
        if error:
            challenge += f', error="{error}", error_description="{_quote_safe(message)}"'
        super().__init__(message, headers={"WWW-Authenticate": challenge})
        self.error = error


class Forbidden(ApiError):
    """403 `accessDenied`; `scope` names the permission that would have been enough."""

    status, code = 403, "accessDenied"

    def __init__(self, message: str, *, scope: str) -> None:
        super().__init__(
            message,
            headers={"WWW-Authenticate": f'Bearer realm="", error="insufficient_scope", scope="{scope}"'},
        )
        self.scope = scope


class QuotaExceeded(ApiError):
    status, code = 403, "quotaLimitReached"


class StorageQuotaExceeded(ApiError):
    """507 with Graph's code for a full drive (`quotaLimitReached`): the user's stored data would grow past
    the per-user storage ceiling (contract §2.6)."""

    status, code = 507, "quotaLimitReached"


class NotFound(ApiError):
    status, code = 404, "itemNotFound"


class FacetNotFound(NotFound):
    """404 for a facet id that names no facet of the user's collection (or one the caller cannot see)."""

    def __init__(self) -> None:
        super().__init__("The facet does not exist.")


class MethodNotAllowed(ApiError):
    """405; `allowed` (the methods the path's routes accept) becomes the `Allow` header."""

    status, code = 405, "methodNotAllowed"

    def __init__(self, message: str, *, allowed: tuple[str, ...]) -> None:
        super().__init__(message, headers={"Allow": ", ".join(allowed)})
        self.allowed = allowed


class Conflict(ApiError):
    status, code = 409, "conflict"


class PreconditionFailed(ApiError):
    status, code = 412, "resourceModified"


class StaleFacet(PreconditionFailed):
    """412 for an If-Match that names another version of the facet than the stored one."""

    def __init__(self) -> None:
        super().__init__("The entity tag does not match the current version of the facet.")


class PayloadTooLarge(ApiError):
    status, code = 413, "requestTooLarge"


class Unprocessable(ApiError):
    status, code = 422, "unprocessableEntity"


class FailedDependency(ApiError):
    """424: a `$batch` request named in `dependsOn` failed, so this one was not run."""

    status, code = 424, "failedDependency"


class _RetryLater(ApiError):
    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, int(retry_after)))})
        self.retry_after = max(1, int(retry_after))


class Throttled(_RetryLater):
    status, code = 429, "TooManyRequests"


class ServiceUnavailable(_RetryLater):
    status, code = 503, "serviceNotAvailable"


class IdempotencyReplay(Exception):
    """A create found an unexpired record with the same Idempotency-Key; nothing was written.

    Raised by the repository and caught by the service, which replays the original response.
    """

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotency key already used")
        self.record = record


def _quote_safe(text: str) -> str:
    """RFC 6750: error_description may not contain `"` or `\\`."""
    return text.replace('"', "'").replace("\\", "/")
