"""Responses the local host produces itself, when no function runs: Graph's error envelope, as the app's.

The envelope, the support ids and the error table are the app's own (`shared.web.responses`,
`shared.errors`), so a 404/405/413/400/500/503 from the host looks like one from a function. Requests
waitress refuses before the app sees them (a body over the cap, a malformed request line or header,
oversized headers) go through `EnvelopeChannel`, whose error task writes the same envelope.
"""

from __future__ import annotations

import http
from collections.abc import Mapping
from typing import Any

from waitress import utilities
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask, WSGITask

from devhost.convert import CHUNKED, Response, from_response
from shared.errors import ApiError, BadRequest, PayloadTooLarge

#: Reason phrases by status, computed once.
_REASONS = {s.value: s.phrase for s in http.HTTPStatus}
UNEXPECTED = "An unexpected error occurred."


class HeadersTooLarge(ApiError):
    """431: the request line and headers exceed waitress's limit (256 KiB)."""

    status, code = 431, "invalidRequest"


class NotSupported(ApiError):
    """501: a Transfer-Encoding other than chunked."""

    status, code = 501, "notSupported"


def status_line(status: int) -> str:
    """`404 Not Found`."""
    return f"{status} {_REASONS.get(status, 'Unknown')}"


def too_large(cap: int) -> PayloadTooLarge:
    """The 413 for a body over `cap` bytes (the app's own wording)."""
    return PayloadTooLarge(f"The request body is larger than the limit of {cap} bytes.")


def envelope(error: ApiError, client_request_id: str | None = None) -> Response:
    """Graph's error envelope for `error`, with new `request-id` and (echoed or equal) `client-request-id`."""
    from shared.web.responses import RequestIds, error_response  # the app's web layer, loaded with the app

    ids = RequestIds.for_request({"client-request-id": client_request_id or ""})
    return from_response(error_response(ids, error))


def waitress_body_limit(cap: int) -> int:
    """waitress refuses a body of `max_request_body_size` bytes *or more*; the host allows exactly `cap`."""
    return cap + 1


def _from_waitress(error: utilities.Error, cap: int) -> ApiError:
    """The API error for a request waitress refused while parsing it (never echoing the request)."""
    if isinstance(error, utilities.RequestEntityTooLarge):
        return too_large(cap)
    if isinstance(error, utilities.RequestHeaderFieldsTooLarge):
        return HeadersTooLarge("The request line and headers are too large.")
    if isinstance(error, utilities.BadRequest):
        return BadRequest("The request is not well-formed HTTP (request line, a header or the chunked body).")
    if isinstance(error, utilities.ServerNotImplemented):
        return NotSupported("The Transfer-Encoding is not supported; send Content-Length or chunked.")
    return ApiError(UNEXPECTED)


class EnvelopeErrorTask(ErrorTask):
    """waitress's error task, writing Graph's envelope instead of a text/plain page."""

    def execute(self) -> None:
        """Write the envelope and close the connection (as waitress does after a refused request)."""
        cap = int(self.channel.server.adj.max_request_body_size) - 1
        headers: Mapping[str, str] = self.request.headers
        status, response_headers, body = envelope(
            _from_waitress(self.request.error, cap), headers.get("CLIENT_REQUEST_ID")
        )
        self.status = status_line(status)
        self.response_headers.extend(response_headers)
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class ChunkAwareTask(WSGITask):
    """waitress's WSGI task, telling the app whether the body came with `Transfer-Encoding: chunked`."""

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[CHUNKED] = bool(getattr(self.request, "chunked", False))
        return environ


class EnvelopeChannel(HTTPChannel):
    """An HTTP channel whose refused requests are answered with `EnvelopeErrorTask`, and whose tasks say
    whether a body came chunked."""

    error_task_class = EnvelopeErrorTask
    task_class = ChunkAwareTask
