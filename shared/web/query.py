"""OData query options on the read routes: $top, $select and our paging token $skiptoken."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.errors import BadRequest
from shared.models.account import READ_ONLY_PROPERTIES, WRITABLE_PROPERTIES

MAX_TOP = 100
ACCOUNT_PROPERTIES = frozenset(READ_ONLY_PROPERTIES + WRITABLE_PROPERTIES)


@dataclass(frozen=True)
class ListOptions:
    top: int = MAX_TOP
    skiptoken: str | None = None
    select: tuple[str, ...] | None = None


def parse_options(params: Mapping[str, str], *, allowed: frozenset[str]) -> ListOptions:
    """Read the `$` options of a request; an option outside `allowed` is 400 naming it."""
    options = {name: value for name, value in params.items() if name.startswith("$")}
    unsupported = sorted(name for name in options if name.lower() not in allowed)
    if unsupported:
        raise BadRequest(f"Query option(s) not supported here: {', '.join(unsupported)}.")
    values = {name.lower(): value for name, value in options.items()}
    top = MAX_TOP
    if "$top" in values:
        raw = values["$top"].strip()
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_TOP:
            raise BadRequest(f"Invalid value for $top: it must be a whole number from 1 to {MAX_TOP}.")
        top = int(raw)
    select = None
    if "$select" in values:
        names = tuple(part.strip() for part in values["$select"].split(","))
        unknown = [name for name in names if name not in ACCOUNT_PROPERTIES]
        if not names or unknown:
            raise BadRequest(
                f"Could not find a property named '{(unknown or [''])[0]}' on type 'microsoft.graph.userAccountInformation'."
            )
        select = names
    return ListOptions(top=top, skiptoken=values.get("$skiptoken") or None, select=select)


def project(body: dict, select: tuple[str, ...] | None) -> dict:
    """Keep only the selected properties (and `id`, which Graph always returns)."""
    if select is None:
        return body
    return {name: value for name, value in body.items() if name == "id" or name in select}
