"""Reading OData system query options from a request's query parameters.

- An option is named with or without its `$` (Graph beta accepts both), case-insensitively; its
  canonical name is `$` + the lower-case name (`$orderby`).
- The same option given twice under any spelling (`$top` and `top`, `$TOP` and `$top`) is 400.
- A `$` name that is no OData system query option (`$foo`) is 400; so is a system option the route
  does not support (`$filter` on a single facet), named in the message.
- Any other parameter (`code` of a function key, `foo`) is not an OData option and is ignored, as
  OData says of custom query options. `id` without its `$` is such a parameter, not `$id`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shared.errors import BadRequest
from shared.query.model import MAX_OPTION_LENGTH
from shared.validation.names import shorten

#: OData v4.01 system query options, without `$`.
SYSTEM_OPTIONS = frozenset(
    {
        "apply",
        "compute",
        "count",
        "deltatoken",
        "expand",
        "filter",
        "format",
        "id",
        "index",
        "levels",
        "orderby",
        "schemaversion",
        "search",
        "select",
        "skip",
        "skiptoken",
        "top",
    }
)
#: System options that are recognised without their `$` (all but `id`, too common a custom name).
_BARE_OK = SYSTEM_OPTIONS - {"id"}


def read_options(params: Mapping[str, str], supported: Iterable[str]) -> dict[str, str]:
    """The OData options in `params`, keyed by canonical name (`$top`), values as given.

    `supported` lists the canonical names this route accepts; anything else is 400 naming it.
    """
    allowed = frozenset(supported)
    found: dict[str, str] = {}
    unsupported: list[str] = []
    for name, value in params.items():
        canonical = _canonical_name(name)
        if canonical is None:
            continue
        if canonical in found or canonical in unsupported:
            raise BadRequest(f"The query option '{canonical}' is given more than once.")
        if canonical not in allowed:
            unsupported.append(canonical)
            continue
        if not isinstance(value, str):
            raise BadRequest(f"Invalid value for {canonical}.")
        if canonical != "$skiptoken" and len(value) > MAX_OPTION_LENGTH:  # the token has its own check
            raise BadRequest(f"Invalid value for {canonical}: it is longer than {MAX_OPTION_LENGTH} characters.")
        found[canonical] = value
    if unsupported:
        names = ", ".join(sorted(unsupported))
        raise BadRequest(f"Query option(s) not supported here: {names}.")
    return found


def _canonical_name(name: object) -> str | None:
    """`$top` for `$top`, `$TOP` or `top`; None for a parameter that is no OData option."""
    if not isinstance(name, str):
        return None
    lower = name.lower()
    if lower.startswith("$"):
        if lower[1:] not in SYSTEM_OPTIONS:
            raise BadRequest(f"The query option '{shorten(name)}' is not an OData system query option.")
        return lower
    return f"${lower}" if lower in _BARE_OK else None


def parse_whole_number(value: str, option: str, low: int, high: int) -> int:
    """A whole number in [low, high] written with ASCII digits only; anything else is 400 naming `option`.

    The digits are never handed to int() unbounded: leading zeros are dropped and a longer string
    than `high` has digits is out of range without conversion.
    """
    message = f"Invalid value for {option}: it must be a whole number from {low} to {high}."
    if not value or not value.isascii() or not value.isdigit():
        raise BadRequest(message)
    digits = value.lstrip("0") or "0"
    if len(digits) > len(str(high)):
        raise BadRequest(message)
    number = int(digits)
    if not low <= number <= high:
        raise BadRequest(message)
    return number


def parse_boolean(value: str, option: str) -> bool:
    """`true` or `false`, case-insensitive."""
    lower = value.lower()
    if lower not in ("true", "false"):
        raise BadRequest(f"Invalid value for {option}: it must be true or false.")
    return lower == "true"
