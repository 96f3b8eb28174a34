"""Building func.HttpResponse objects: JSON bodies, Graph's error envelope, support ids (§6)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import azure.functions as func

from shared.errors import ApiError

JSON = "application/json"
#: What a client-request-id may be to be echoed (else the response uses request-id).
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@dataclass(frozen=True)
class RequestIds:
    """`request-id` (new for every request) and `client-request-id` (echoed, else the same)."""

    request_id: str
    client_request_id: str

    @classmethod
    def for_request(cls, headers: Any) -> RequestIds:
        request_id = str(uuid.uuid4())
        sent = (headers.get("client-request-id") or "").strip()
        return cls(request_id, sent if CLIENT_REQUEST_ID.fullmatch(sent) else request_id)

    def headers(self) -> dict[str, str]:
        return {"request-id": self.request_id, "client-request-id": self.client_request_id}


def json_response(
    ids: RequestIds, body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> func.HttpResponse:
    """A JSON response with the support ids."""
    return func.HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        status_code=status,
        headers={**(headers or {}), **ids.headers()},
        mimetype=JSON,
        charset="utf-8",
    )


def empty_response(ids: RequestIds, *, status: int = 204) -> func.HttpResponse:
    """A response with no body (204) and no Content-Type (contract §6).

    The `azure-functions` library's converter adds a Content-Type to every response from its media
    type (default `text/plain`); an empty media type makes it send an empty value, which the
    Functions host assigns to ASP.NET Core's `HttpResponse.ContentType`, and an empty value there
    removes the header. The local host drops it for a 204 as well.
    """
    return func.HttpResponse(status_code=status, headers=ids.headers(), mimetype="")


def error_response(ids: RequestIds, error: ApiError) -> func.HttpResponse:
    """Graph's error envelope for `error`; `details` only for field-level problems."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        body["details"] = [{"code": d.code, "message": d.message, "target": d.target} for d in error.details]
    body["innerError"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": ids.request_id,
        "client-request-id": ids.client_request_id,
    }
    return json_response(ids, {"error": body}, status=error.status, headers=error.headers)
