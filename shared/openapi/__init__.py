"""The OpenAPI 3.1 document of the API, generated from the facet declarations.

Built on the first call, never at import time (the function app imports this module to index its
functions, and cold start matters), then cached for the life of the process. The modules beside this
one hold the parts: schemas.py (component schemas per Graph type), parameters.py (path, header and query
parameters), responses.py (shared error responses and headers), operations.py (one operation per HTTP
function) and builder.py (the whole).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from shared.routing.table import RouteTable


@functools.cache
def document(routes: RouteTable) -> dict[str, Any]:
    """The document of a route table (built once per table, on the first call). Callers must not change it."""
    from shared.openapi.builder import build

    return build(routes)


@functools.cache
def document_bytes(routes: RouteTable) -> bytes:
    """The document as compact UTF-8 JSON, encoded once."""
    return json.dumps(document(routes), ensure_ascii=False, separators=(",", ":")).encode()


@functools.cache
def document_etag(routes: RouteTable) -> str:
    """A strong entity tag of the encoded document."""
    return f'"{hashlib.sha256(document_bytes(routes)).hexdigest()[:32]}"'
