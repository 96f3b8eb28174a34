"""The OpenAPI 3.1 document of the API (`openapi.json` beside this module), read on first use and cached."""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")


@functools.cache
def document() -> dict[str, Any]:
    """The parsed document (read once per process, on the first call, never at import time)."""
    with DOCUMENT_PATH.open(encoding="utf-8") as file:
        return json.load(file)
