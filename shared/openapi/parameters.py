"""Parameters of the document: path placeholders, request headers and the query options of contract §2.3.

Query options are documented with their `$` (Graph beta, and this service, also take them without it).
Per facet type, `$select`, `$orderby` and `$filter` are components of their own, derived from the
declarations: `$select` names the type's properties, `$orderby` its primitive property paths, and
`$filter` carries examples over the type's own properties. The profile's `$select` names `id` and the
collections, its `$expand` the collections, each optionally with a nested `($select=...)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from shared.facets.kinds import MAX_TEXT, Complex, Enum, Kind, ListOf, Text
from shared.facets.model import FacetType

Parameter = dict[str, Any]

PARAMETERS = "#/components/parameters/"
USER = "user"
ID = "id"
CLIENT_REQUEST_ID = "clientRequestId"
IF_MATCH = "ifMatch"
IDEMPOTENCY_KEY = "idempotencyKey"
TOP = "top"
SKIP = "skip"
COUNT = "count"
PREFER = "prefer"
PROFILE_SELECT = "profileSelect"
PROFILE_EXPAND = "profileExpand"
#: If-Match: `*`, or a comma-separated list of (weak or strong) entity tags (RFC 9110 §13.1.1), whose
#: characters are RFC 9110's less the comma (the edge splits the list at commas; ETags it issues have none).
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x2b\x2d-\x7e]*"'
IF_MATCH_PATTERN = rf"^(?:\*|{_ENTITY_TAG}(?:[ \t]*,[ \t]*{_ENTITY_TAG})*)$"
#: Idempotency-Key: 1 to 255 printable ASCII characters, as sent (HTTP trims the spaces around it).
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$"
_DIRECTION = "(?: +(?:asc|desc))?"


def ref(name: str) -> Parameter:
    return {"$ref": PARAMETERS + name}


def select_name(facet_type: FacetType) -> str:
    return f"{facet_type.type_name}Select"


def orderby_name(facet_type: FacetType) -> str:
    return f"{facet_type.type_name}Orderby"


def filter_name(facet_type: FacetType) -> str:
    return f"{facet_type.type_name}Filter"


def list_pattern(names: Iterable[str], *, suffix: str = "", most: int | None = None) -> str:
    """A comma-separated list of `names` (each followed by the optional `suffix` regex), spaces around
    each; at most `most` items when given."""
    item = f" *(?:{'|'.join(re.escape(name) for name in names)}){suffix} *"
    repeat = "*" if most is None else f"{{0,{most - 1}}}"
    return f"^{item}(?:,{item}){repeat}$"


def orderable_paths(properties: Mapping[str, Kind], prefix: str = "") -> Iterator[str]:
    """Every property path `$orderby` takes: primitive values (not long text), into complex values,
    never through a collection."""
    for name, kind in properties.items():
        path = f"{prefix}{name}"
        if isinstance(kind, Complex):
            yield from orderable_paths(kind.type.properties, f"{path}/")
        elif kind.query_type is not None and not (isinstance(kind, Text) and kind.max_length > MAX_TEXT):
            yield path


def common_parameters(max_top: int, max_skip: int) -> dict[str, Parameter]:
    """The parameters every facet type shares: placeholders, headers, paging and `$count`."""
    from shared.web.conditions import MAX_IDEMPOTENCY_KEY, MAX_IF_MATCH
    from shared.web.responses import CLIENT_REQUEST_ID as ECHOED_ID

    return {
        USER: {
            "name": "user",
            "in": "path",
            "required": True,
            "description": "The user: an object id (GUID) or a userPrincipalName (case-insensitive).",
            "schema": {"type": "string", "minLength": 1, "maxLength": 256},
            "examples": {"objectId": {"value": "db789417-4ccb-41d1-a0a9-47b01a09ea49"}},
        },
        ID: {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "The facet's id.",
            "schema": {"type": "string", "minLength": 1},
        },
        CLIENT_REQUEST_ID: {
            "name": "client-request-id",
            "in": "header",
            "required": False,
            "description": "Echoed in `client-request-id` when it has this form (else the `request-id` is).",
            "schema": {"type": "string", "pattern": f"^{ECHOED_ID.pattern}$"},
        },
        IF_MATCH: {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "description": "Act only if the facet's current ETag is listed (`*`: any). Otherwise 412.",
            "schema": {"type": "string", "maxLength": MAX_IF_MATCH, "pattern": IF_MATCH_PATTERN},
        },
        IDEMPOTENCY_KEY: {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": (
                "Repeating a create with the same key and body returns the first response instead of creating "
                "another facet; the same key with another body is 422."
            ),
            "schema": {"type": "string", "maxLength": MAX_IDEMPOTENCY_KEY, "pattern": IDEMPOTENCY_KEY_PATTERN},
        },
        PREFER: {
            "name": "Prefer",
            "in": "header",
            "required": False,
            "description": (
                f"`odata.maxpagesize=N`: at most N items a page (1 or more; over {max_top}, {max_top} is applied); "
                "answered with `Preference-Applied`. Other preferences, and a malformed N, are ignored."
            ),
            "schema": {"type": "string"},
            "example": "odata.maxpagesize=20",
        },
        TOP: {
            "name": "$top",
            "in": "query",
            "required": False,
            "description": (
                "The page size (also accepted as `top`); a page ends earlier at `Prefer: odata.maxpagesize` or "
                "at the response bound (MAX_RESPONSE_BYTES): follow `@odata.nextLink`."
            ),
            "schema": {"type": "integer", "minimum": 1, "maximum": max_top, "default": max_top},
        },
        SKIP: {
            "name": "$skip",
            "in": "query",
            "required": False,
            "description": "How many matching items to skip (also accepted as `skip`).",
            "schema": {"type": "integer", "minimum": 0, "maximum": max_skip},
        },
        COUNT: {
            "name": "$count",
            "in": "query",
            "required": False,
            "description": "`true` adds `@odata.count` (also accepted as `count`).",
            "schema": {"type": "boolean"},
        },
    }


def facet_parameters(facet_type: FacetType, max_filter: int, max_orderby: int) -> dict[str, Parameter]:
    """`$select`, `$orderby` and `$filter` of one facet type."""
    names = list(facet_type.properties)
    paths = list(orderable_paths(facet_type.properties))
    return {
        select_name(facet_type): {
            "name": "$select",
            "in": "query",
            "required": False,
            "description": f"The properties to return (`id` always is), comma-separated: {', '.join(names)}.",
            "schema": {"type": "string", "pattern": list_pattern(names)},
            "example": ",".join(names[:2]),
        },
        orderby_name(facet_type): {
            "name": "$orderby",
            "in": "query",
            "required": False,
            "description": (
                f"Up to {max_orderby} property paths, each `asc` or `desc`; ties are broken by createdDateTime, "
                "then id (the default order)."
            ),
            "schema": {"type": "string", "pattern": list_pattern(paths, suffix=_DIRECTION, most=max_orderby)},
            "example": f"{paths[-1]} desc",
        },
        filter_name(facet_type): {
            "name": "$filter",
            "in": "query",
            "required": False,
            "description": (
                "An OData v4 filter: eq ne gt ge lt le on primitive properties and paths into complex values, "
                "and or not and parentheses, startswith endswith contains, null, and any over string collections. "
                "A filter whose work over the collection would exceed the service's bound is 400 before it runs."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": max_filter},
            "examples": {f"example{index}": {"value": text} for index, text in enumerate(filter_examples(facet_type))},
        },
    }


def filter_examples(facet_type: FacetType) -> list[str]:
    """Filters over the type's own properties: a text comparison, a function, an enum, a path, `any`."""
    examples = ["createdDateTime ge 2020-01-01T00:00:00Z and isSearchable ne false", "not (allowedAudiences eq 'me')"]
    for name, kind in facet_type.properties.items():
        if name in facet_type.read_only:
            continue
        example = _filter_example(name, kind)
        if example and not any(existing.split(" ")[0] == example.split(" ")[0] for existing in examples):
            examples.append(example)
    return examples[:6]


def _filter_example(name: str, kind: Kind) -> str | None:
    if isinstance(kind, Enum):
        return f"{name} eq '{kind.accepted[0]}'"
    if isinstance(kind, Text) and kind.rule is None:
        return f"startswith({name}, 'A') or {name} eq null"
    if isinstance(kind, ListOf) and isinstance(kind.item, Text):
        return f"{name}/any(c: c eq 'A')"
    if isinstance(kind, Complex):
        member = next((m for m, k in kind.type.properties.items() if isinstance(k, Text) and k.rule is None), None)
        return None if member is None else f"{name}/{member} ne 'A'"
    return None


def profile_parameters(facet_types: Iterable[FacetType]) -> dict[str, Parameter]:
    """The profile's `$select` (id and the collections) and `$expand` (collections, nested `$select`)."""
    facet_types = tuple(facet_types)
    collections = [facet_type.collection for facet_type in facet_types]
    expand_items = [
        f"{re.escape(ft.collection)}(?:\\(\\$select={list_pattern(ft.properties)[1:-1]}\\))?" for ft in facet_types
    ]
    expand_item = f" *(?:{'|'.join(expand_items)}) *"
    return {
        PROFILE_SELECT: {
            "name": "$select",
            "in": "query",
            "required": False,
            "description": "`id` and/or collection names (a collection appears only when it is expanded).",
            "schema": {"type": "string", "pattern": list_pattern(["id", *collections])},
        },
        PROFILE_EXPAND: {
            "name": "$expand",
            "in": "query",
            "required": False,
            "description": (
                "Collections to return inline, comma-separated, each optionally with a nested `($select=...)`; "
                "each holds the first page of the items the caller may see, in the default order, and "
                "`{collection}@odata.nextLink` to the rest (the response bound is shared among them)."
            ),
            "schema": {"type": "string", "pattern": f"^{expand_item}(?:,{expand_item})*$"},
            "example": "names($select=first,last),skills",
        },
    }
