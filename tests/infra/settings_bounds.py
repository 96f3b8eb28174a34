"""The start-up bounds of the numeric settings, for comparing the Bicep parameters against them.

shared/settings.py promises only SETTING_NAMES to the infrastructure tests. When it also declares a
setting's bounds (a settings dataclass whose field metadata carries a `bounds` pair), those are
used; otherwise the numbers below, which are the ones shared/settings.py enforces today.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from shared import settings

#: The bounds shared/settings.py checks at start-up (inclusive), kept here in one place.
KNOWN_BOUNDS: dict[str, tuple[int, int]] = {
    "MAX_BODY_BYTES": (2, 104857600),
    "MAX_BATCH_BODY_BYTES": (2, 104857600),
    "MAX_FACETS_PER_USER": (1, 10000),
    "MAX_RESPONSE_BYTES": (65536, 104857600),
    "MAX_STORED_BYTES_PER_USER": (65536, 1073741824),
}


def _declared(name: str) -> tuple[int, int] | None:
    """The bounds the settings module declares for `name`, if it declares any."""
    for candidate in vars(settings).values():
        if not (isinstance(candidate, type) and dataclasses.is_dataclass(candidate)):
            continue
        for declared in dataclasses.fields(candidate):
            if declared.name != name.lower():
                continue
            for meta in declared.metadata.values():
                bounds: Any = getattr(meta, "bounds", None)
                if isinstance(bounds, tuple) and len(bounds) == 2 and all(isinstance(b, int) for b in bounds):
                    return bounds[0], bounds[1]
    return None


def bounds(name: str) -> tuple[int, int]:
    """(lowest, highest) accepted value of the setting `name`."""
    return _declared(name) or KNOWN_BOUNDS[name]
