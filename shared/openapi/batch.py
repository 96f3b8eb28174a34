"""The `$batch` operation and its schemas (contract §10): Graph's JSON batching envelope.

The requests inside a batch are the document's other operations; their responses are carried as they
are (status, headers, body), so the item schemas describe the envelope only.
"""

from __future__ import annotations

from typing import Any

from shared.openapi import parameters as p
from shared.openapi import responses as r
from shared.openapi.schemas import Schema, ref
from shared.routing.table import Route

TAG = "batch"
REQUEST = "batchRequest"
REQUEST_ITEM = "batchRequestItem"
RESPONSE = "batchResponse"
RESPONSE_ITEM = "batchResponseItem"
DESCRIPTION = """\
Up to 20 requests of this API in one call, as Microsoft Graph's JSON batching. Each request runs exactly \
as the same request sent directly, with the batch's `Authorization` (a request may not carry its own: \
400), and answers with its own status, headers and body. The batch answers 200 whenever it is well \
formed, whatever its requests answer; a malformed batch is 400 and nothing runs. Requests run one by \
one in the order written, each on its own (not atomic); a request whose `dependsOn` names a request \
that failed is not run and answers 424 `failedDependency`."""


def batch_schemas() -> dict[str, Schema]:
    """The batch request and response bodies, and their items."""
    from shared.web.batch import MAX_ID_LENGTH, MAX_REQUESTS, MAX_URL_LENGTH

    request_id = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}
    ids = {"type": "array", "items": {"type": "string"}}
    headers = {"type": "object", "additionalProperties": {"type": "string"}}
    return {
        REQUEST: {
            "type": "object",
            "description": "A JSON batch: the requests to run.",
            "properties": {
                "requests": {"type": "array", "minItems": 1, "maxItems": MAX_REQUESTS, "items": ref(REQUEST_ITEM)}
            },
            "required": ["requests"],
            "additionalProperties": False,
        },
        REQUEST_ITEM: {
            "type": "object",
            "description": "One request of a batch.",
            "properties": {
                "id": {**request_id, "description": "Unique in the batch, compared ignoring case."},
                "method": {
                    "type": "string",
                    "pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$",
                    "description": "GET, POST, PATCH, DELETE, ...",
                },
                "url": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_URL_LENGTH,
                    "description": "Relative to the API root, with or without the leading slash: "
                    "`/me/profile/skills?$top=5`.",
                },
                "headers": {
                    **headers,
                    "description": "The request's headers (a `body` needs `Content-Type`); never `Authorization`.",
                },
                "body": {"description": "A JSON value, or a string: the body in base64."},
                "dependsOn": {**ids, "description": "Ids of earlier requests that must succeed first."},
                "depends_on": {**ids, "description": "`dependsOn` as msgraph-core (Python) spells it."},
            },
            "required": ["id", "method", "url"],
            "additionalProperties": False,
        },
        RESPONSE: {
            "type": "object",
            "description": "Every request's response, in the order of the requests.",
            "properties": {"responses": {"type": "array", "items": ref(RESPONSE_ITEM)}},
            "required": ["responses"],
            "additionalProperties": False,
        },
        RESPONSE_ITEM: {
            "type": "object",
            "description": "One request's response, as it would have been sent directly.",
            "properties": {
                "id": request_id,
                "status": {"type": "integer", "minimum": 100, "maximum": 599},
                "headers": {**headers, "description": "`Content-Type`, `ETag`, `Location`, the request ids, ..."},
                "body": {"description": "A JSON body inline; any other body in base64. Absent when there is none."},
            },
            "required": ["id", "status", "headers"],
            "additionalProperties": False,
        },
    }


def batch_operation(route: Route) -> dict[str, Any]:
    """`POST $batch`: the batch's own statuses (each request's are in its response)."""
    from shared.openapi.operations import SECURITY_SCHEME

    return {
        "tags": [TAG],
        "summary": "Run up to 20 requests in one call (JSON batching)",
        "description": DESCRIPTION,
        "operationId": route.name,
        "security": [{SECURITY_SCHEME: []}],
        "parameters": [p.ref(p.CLIENT_REQUEST_ID)],
        "requestBody": {
            "required": True,
            "description": "The requests.",
            "content": {r.JSON: {"schema": ref(REQUEST)}},
        },
        "responses": {
            "200": r.success("The batch ran: each request's response.", RESPONSE),
            r.BAD_REQUEST: r.ref(r.BAD_REQUEST),
            r.UNAUTHORIZED: r.ref(r.UNAUTHORIZED),
            r.PAYLOAD_TOO_LARGE: r.ref(r.PAYLOAD_TOO_LARGE),
        },
    }
