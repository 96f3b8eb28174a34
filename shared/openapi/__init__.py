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


@functools.cache
def document() -> dict[str, Any]:
    """The document (built once per process, on the first call). Callers must not change it."""
    from shared.openapi.builder import build

    return build()


@functools.cache
def document_bytes() -> bytes:
    """The document as compact UTF-8 JSON, encoded once."""
    return json.dumps(document(), ensure_ascii=False, separators=(",", ":")).encode()


@functools.cache
def document_etag() -> str:
    """A strong entity tag of the encoded document."""
    return f'"{hashlib.sha256(document_bytes()).hexdigest()[:32]}"'
