"""Identifier shapes shared by settings, token validation and user resolution."""

from __future__ import annotations

import re

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_guid(value: object) -> bool:
    """True for a GUID in its 8-4-4-4-12 form, any case (tenant and object ids); nothing before or after it.

    `fullmatch`, not `match` with `$`, which would let a trailing newline through.
    """
    return isinstance(value, str) and _GUID.fullmatch(value) is not None
