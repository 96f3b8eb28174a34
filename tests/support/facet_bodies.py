"""Facet bodies built from the declarations (shared/facets/catalog), for unit and function-level tests.

- `sample(kind)`: a valid, already canonical value of a kind (enums: the first member; URL, e-mail,
  language-tag and country-code texts: a value their rule keeps as it is; complex values: every member).
- `full_body(facet_type)`: every writable property of a facet type set to a valid value.
- `paths(facet_type, wanted)`: every writable property path (into complex members and list items)
  whose kind `wanted` accepts, as a tuple of names and list indices, e.g. ("colleagues", 0, "relationship").
- `with_value(body, path, value)`: a copy of `body` with `value` at `path` (containers made as needed).
- `target(path)`: the `target` a problem at `path` reports ("colleagues[0].relationship").
- `stored(facet_type, values)`: a stored facet with the server-set properties filled in.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from shared.facets.common import Audiences
from shared.facets.kinds import Boolean, Complex, Date, DateTime, Double, Enum, Int32, Kind, ListOf, Text
from shared.facets.model import FacetType
from shared.facets.rules import absolute_url, email_address
from shared.validation.codes import country_code, locale_tag

Segment = str | int
Path = tuple[Segment, ...]

FACET_ID = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"
CREATED = "2020-07-06T06:34:12.2294868Z"
MODIFIED = "2021-01-02T03:04:05.0000001Z"
OWNER_OID = "db789417-4ccb-41d1-a0a9-47b01a09ea49"
IDENTITY_SET = {"application": None, "device": None, "user": {"displayName": "Innocenty Popov", "id": OWNER_OID}}
#: itemFacet's properties in the seed's wire order.
INHERITED = (
    "id",
    "allowedAudiences",
    "inference",
    "createdDateTime",
    "createdBy",
    "lastModifiedDateTime",
    "lastModifiedBy",
    "source",
    "sources",
    "isSearchable",
)
SERVER_SET = ("id", "createdDateTime", "createdBy", "lastModifiedDateTime", "lastModifiedBy")
_RULE_SAMPLES: dict[Callable[[str], str | None], str] = {
    absolute_url: "https://www.contoso.com/profile/item",
    email_address: "adele.vance@contoso.com",
    locale_tag: "en-US",
    country_code: "NO",
}


#: Values of the kinds whose value does not depend on the instance.
_PLAIN_SAMPLES: dict[type[Kind], Any] = {
    Audiences: "organization",
    Boolean: True,
    Double: 47.5,
    Int32: 3,
    Date: "2020-02-29",
    DateTime: CREATED,
}


def sample(kind: Kind) -> Any:
    """A valid value of `kind`, in the canonical form the engine stores (so it reads back unchanged)."""
    if type(kind) in _PLAIN_SAMPLES:
        return _PLAIN_SAMPLES[type(kind)]
    if isinstance(kind, Text):
        return _RULE_SAMPLES[kind.rule] if kind.rule is not None else "Sample text"[: kind.max_length]
    if isinstance(kind, Enum):
        return kind.accepted[0]
    if isinstance(kind, ListOf):
        return [sample(kind.item)]
    if isinstance(kind, Complex):
        return {name: sample(member) for name, member in kind.type.properties.items()}
    raise AssertionError(f"no sample for {kind!r}")


def full_body(facet_type: FacetType) -> dict[str, Any]:
    """Every writable property of `facet_type` with a valid value (sources name one of the type's own properties)."""
    body = {name: sample(facet_type.properties[name]) for name in facet_type.writable}
    own = [name for name in facet_type.writable if name not in INHERITED]
    body["sources"] = [{"isDefaultSource": True, "properties": [own[-1], "allowedAudiences"], "sourceId": "hr-sync"}]
    return body


def walk(kind: Kind, path: Path) -> Iterator[tuple[Path, Kind]]:
    """Every (path, kind) at and below `path`; list items are reached through index 0."""
    yield path, kind
    if isinstance(kind, ListOf):
        yield from walk(kind.item, (*path, 0))
    elif isinstance(kind, Complex):
        for name, member in kind.type.properties.items():
            yield from walk(member, (*path, name))


def paths(facet_type: FacetType, wanted: Callable[[Kind], bool]) -> list[tuple[Path, Kind]]:
    """The writable paths of `facet_type` whose kind `wanted` accepts, in declaration order."""
    found = []
    for name in facet_type.writable:
        found += [(path, kind) for path, kind in walk(facet_type.properties[name], (name,)) if wanted(kind)]
    return found


def with_value(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A deep copy of `body` with `value` at `path`; missing or null containers on the way are created."""
    out = copy.deepcopy(body)
    node: Any = out
    for here, after in itertools.pairwise(path):
        empty: Any = [None] if isinstance(after, int) else {}
        if isinstance(node, list):
            if node[here] is None:
                node[here] = empty
        elif node.get(here) is None:
            node[here] = empty
        node = node[here]
    node[path[-1]] = value
    return out


def value_at(body: Any, path: Path) -> Any:
    """The value at `path` in `body`."""
    for segment in path:
        body = body[segment]
    return body


def target(path: Path) -> str:
    """The `target` of a problem at `path`: names joined by dots, list indices in brackets."""
    text = ""
    for segment in path:
        text += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if text else segment)
    return text


def stored(facet_type: FacetType, values: dict[str, Any], **server: Any) -> dict[str, Any]:
    """What the store keeps for a facet created with `values` (server-set properties as the service sets them)."""
    from shared.facets.wire import to_store

    fields = {
        "id": FACET_ID,
        "createdDateTime": CREATED,
        "createdBy": IDENTITY_SET,
        "lastModifiedDateTime": MODIFIED,
        "lastModifiedBy": IDENTITY_SET,
        **server,
    }
    return to_store(facet_type, {**values, **fields})
