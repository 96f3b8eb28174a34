"""The Cosmos test server's request adjustments, installed by the tests (never by production code).

The test server (@vercel/cosmosdb-server 1.0.1) differs from the service in two ways that the Python
SDK trips over (see docs/data-model.md, "Test server"):

1. In a transactional batch it reads each operation's own `partitionKey` member (the JavaScript SDK
   sends one; the Python SDK does not) and answers 500 for Replace/Delete/Upsert/Read without it.
   We copy the batch's partition-key header into every operation, exactly as the JS SDK does.
2. A point read of a missing document answers 500 instead of 404 unless the request carries
   `x-ms-documentdb-query-enablecrosspartition`, which makes it skip its broken pre-check.

Both changes are no-ops for the service's semantics. `install()` hands the hook to the adapter
(`set_process_client_options`) for every client the process creates; the pytest plugin
tests/support/cosmos_server.py calls it at start-up, `make bench` before its Cosmos figures, and
`python -m tests.support.cosmos_quirks [devhost arguments]` runs the local host with it (the e2e
suites' hosts on the test server; `make run` against `make cosmos-server`).

With the certificate the tests' servers present (tests/support/cosmos_tls.py), `install(ca)` also makes the
clients verify it, instead of not verifying (the adapter's choice for a loopback endpoint).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.support.cosmos_tls import CA_VARIABLE, verifying

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


def install(ca: Path | str | None = None) -> None:
    """Every Cosmos client this process creates from now on sends its requests through the hook (and, given the
    test server's certificate, verifies the server with it)."""
    from shared.repository.cosmos.connection import set_process_client_options

    options: dict[str, Any] = {"raw_request_hook": local_server_request_hook}
    if ca:
        options |= verifying(ca)
    set_process_client_options(**options)


if __name__ == "__main__":
    import sys

    from devhost.__main__ import main

    install(os.environ.get(CA_VARIABLE))
    sys.exit(main(sys.argv[1:]))
