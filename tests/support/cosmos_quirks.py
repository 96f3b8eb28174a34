"""Request adjustments for local Cosmos servers (installed only for a loopback endpoint).

The test server (@vercel/cosmosdb-server 1.0.1) differs from the service in two ways that the Python
SDK trips over (see docs/data-model.md, "Test server"):

1. In a transactional batch it reads each operation's own `partitionKey` member (the JavaScript SDK
   sends one; the Python SDK does not) and answers 500 for Replace/Delete/Upsert/Read without it.
   We copy the batch's partition-key header into every operation, exactly as the JS SDK does.
2. A point read of a missing document answers 500 instead of 404 unless the request carries
   `x-ms-documentdb-query-enablecrosspartition`, which makes it skip its broken pre-check.

Both changes are no-ops for the service's semantics; production endpoints never get this hook.
"""
from __future__ import annotations

import json
from typing import Any

_BATCH = "x-ms-cosmos-is-batch-request"
_PK = "x-ms-documentdb-partitionkey"
_CROSS = "x-ms-documentdb-query-enablecrosspartition"


def _header(headers: Any, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return None


def local_server_request_hook(pipeline_request: Any) -> None:
    """azure-core `raw_request_hook`: patch a request for the local server quirks above."""
    request = pipeline_request.http_request
    partition = _header(request.headers, _PK)
    if (_header(request.headers, _BATCH) or "").lower() == "true" and partition and request.data:
        raw = request.data.decode("utf-8") if isinstance(request.data, (bytes, bytearray)) else request.data
        operations = json.loads(raw)
        if isinstance(operations, list):
            for operation in operations:
                operation.setdefault("partitionKey", partition)
            body = json.dumps(operations, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            request.data = body
            request.headers["Content-Length"] = str(len(body))
    elif request.method == "GET" and partition and "/docs/" in request.url:
        request.headers[_CROSS] = "true"
