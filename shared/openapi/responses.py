"""Responses of the document: the shared error responses, the response headers, and success responses.

Every error response is one of the components below, all with the one `odataError` schema (Graph's
envelope); operations refer to them by status. Every response, success or error, carries `request-id`
and `client-request-id` (contract §6).
"""

from __future__ import annotations

from typing import Any

from shared.openapi.schemas import ODATA_ERROR
from shared.openapi.schemas import ref as schema_ref

Response = dict[str, Any]

RESPONSES = "#/components/responses/"
HEADERS = "#/components/headers/"
JSON = "application/json"

BAD_REQUEST = "400"
UNAUTHORIZED = "401"
FORBIDDEN = "403"
NOT_FOUND = "404"
CONFLICT = "409"
PRECONDITION_FAILED = "412"
PAYLOAD_TOO_LARGE = "413"
UNPROCESSABLE = "422"
TOO_MANY_REQUESTS = "429"
SERVICE_UNAVAILABLE = "503"
INSUFFICIENT_STORAGE = "507"

#: status -> (component name, description, extra headers: header name -> header component)
_ERRORS: dict[str, tuple[str, str, dict[str, str]]] = {
    BAD_REQUEST: (
        "BadRequest",
        "`invalidRequest`: a malformed or invalid request (body, query option, header); `details` lists "
        "field-level problems. `BadRequest`: a `me` route called with an app-only token.",
        {},
    ),
    UNAUTHORIZED: (
        "Unauthorized",
        "`InvalidAuthenticationToken`: the bearer token is missing or not valid.",
        {"WWW-Authenticate": "wwwAuthenticate"},
    ),
    FORBIDDEN: (
        "Forbidden",
        "`accessDenied` (the token lacks the permission; `WWW-Authenticate` names it) or `quotaLimitReached` "
        "(the collection is full).",
        {"WWW-Authenticate": "insufficientScope"},
    ),
    NOT_FOUND: ("NotFound", "`itemNotFound`: no such user, or no such facet the caller may see.", {}),
    CONFLICT: (
        "Conflict",
        "`conflict`: the profile already exists, or another request changed the same data at the same time.",
        {},
    ),
    PRECONDITION_FAILED: ("PreconditionFailed", "`resourceModified`: If-Match does not list the current ETag.", {}),
    PAYLOAD_TOO_LARGE: ("PayloadTooLarge", "`requestTooLarge`: the body is over the limit.", {}),
    UNPROCESSABLE: (
        "Unprocessable",
        "`unprocessableEntity`: the Idempotency-Key was already used with another request.",
        {},
    ),
    TOO_MANY_REQUESTS: (
        "TooManyRequests",
        "`TooManyRequests`: retry after the given number of seconds.",
        {"Retry-After": "retryAfter"},
    ),
    SERVICE_UNAVAILABLE: (
        "ServiceUnavailable",
        "`serviceNotAvailable`: the store or the directory cannot answer now; retry after the given seconds.",
        {"Retry-After": "retryAfter"},
    ),
    INSUFFICIENT_STORAGE: (
        "InsufficientStorage",
        "`quotaLimitReached`: the write would grow the user's facets, all collections together, past the "
        "per-user storage ceiling (MAX_STORED_BYTES_PER_USER); nothing was written.",
        {},
    ),
}


def ref_header(name: str) -> dict[str, str]:
    return {"$ref": HEADERS + name}


def ref(status: str) -> dict[str, str]:
    """The shared error response for `status`."""
    return {"$ref": RESPONSES + _ERRORS[status][0]}


def _ids() -> dict[str, Any]:
    return {"request-id": ref_header("requestId"), "client-request-id": ref_header("clientRequestId")}


def headers() -> dict[str, Any]:
    """The response headers' components."""
    from shared.web.responses import CLIENT_REQUEST_ID as ECHOED_ID

    return {
        "requestId": {
            "description": "A new id for every response: quote it when asking for help.",
            "required": True,
            "schema": {"type": "string", "format": "uuid"},
        },
        "clientRequestId": {
            "description": "The request's `client-request-id` when it had this form, else the `request-id`.",
            "required": True,
            "schema": {"type": "string", "pattern": f"^{ECHOED_ID.pattern}$"},
        },
        "location": {
            "description": "The absolute URL of the new resource (with the user's object id).",
            "required": True,
            "schema": {"type": "string", "format": "uri"},
        },
        "eTag": {
            "description": "The facet's version, for If-Match.",
            "required": False,
            "schema": {"type": "string"},
        },
        "preferenceApplied": {
            "description": "With `Prefer: odata.maxpagesize`: the page size applied.",
            "required": False,
            "schema": {"type": "string", "pattern": "^odata\\.maxpagesize=[1-9][0-9]*$"},
        },
        "retryAfter": {
            "description": "Seconds to wait before retrying.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        },
        "wwwAuthenticate": {
            "description": "The Bearer challenge (RFC 6750): what is wrong with the token (none when none was sent).",
            "required": True,
            "schema": {"type": "string", "pattern": "^Bearer "},
        },
        "insufficientScope": {
            "description": "With `accessDenied`: the Bearer challenge naming the permission needed.",
            "required": False,
            "schema": {"type": "string", "pattern": "^Bearer "},
        },
    }


def error_responses() -> dict[str, Response]:
    """The shared error responses, by component name."""
    out: dict[str, Response] = {}
    for name, description, extra in _ERRORS.values():
        response_headers = _ids()
        for header, component in extra.items():
            response_headers[header] = ref_header(component)
        out[name] = {
            "description": description,
            "headers": response_headers,
            "content": {JSON: {"schema": schema_ref(ODATA_ERROR)}},
        }
    return out


def success(
    description: str, schema: str | None, *, location: bool = False, etag: bool = False, paged: bool = False
) -> Response:
    """A JSON success response; `schema` None for a free-form object (the document itself); `paged`: a page
    bounded by `Prefer: odata.maxpagesize` and the response bound (contract §2.6)."""
    response_headers = _ids()
    if location:
        response_headers["Location"] = ref_header("location")
    if etag:
        response_headers["ETag"] = ref_header("eTag")
    if paged:
        response_headers["Preference-Applied"] = ref_header("preferenceApplied")
    body = {"type": "object"} if schema is None else schema_ref(schema)
    return {"description": description, "headers": response_headers, "content": {JSON: {"schema": body}}}


def no_content() -> Response:
    return {"description": "Done; no body.", "headers": _ids()}
