"""Component schemas derived from the facet declarations (shared/facets/catalog/).

Names are Graph's type names without the `microsoft.graph.` namespace (the `@odata.type` values keep
it): `skillProficiency` is the facet as read, `skillProficiencyWrite` the body of POST and PATCH,
`skillProficiencyCollectionResponse` a page of the collection. Every complex type and enum is one
component, referenced wherever it is used (`physicalAddress`, `skillProficiencyLevel`), and so is the
`allowedAudiences` flags string. Errors have one schema, `odataError`.

How a kind becomes a schema:

| Kind | Schema |
|---|---|
| Text | string, `maxLength` (`minLength`); `format` uri/email where the rule has one; the rule's message described |
| Boolean, Double, Int32 | boolean; number (double); integer (int32, with its bounds) |
| Date | string, format date, `YYYY-MM-DD` pattern |
| DateTime | string, format date-time |
| Enum | a `$ref` to the enum: its accepted members (`unknownFutureValue` is refused, so never listed) |
| ListOf | array of the item's schema, `maxItems` |
| Complex | a `$ref` to the complex type: its members (nullable unless required), `@odata.type` allowed |

A facet's properties are nullable, as Graph's are, except `id`, `allowedAudiences`, `createdDateTime`
and `lastModifiedDateTime` (Graph beta declares these non-nullable, and the server always sets them).
On a write every property is nullable: null means "unset" (`allowedAudiences`: "me").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from shared.facets.common import Audiences
from shared.facets.kinds import (
    ODATA_TYPE,
    Boolean,
    Complex,
    ComplexType,
    Date,
    DateTime,
    Double,
    Enum,
    Int32,
    Kind,
    ListOf,
    Text,
)
from shared.facets.model import FacetType
from shared.query.model import MAX_TOP

Schema = dict[str, Any]

SCHEMAS = "#/components/schemas/"
ODATA_CONTEXT = "@odata.context"
ODATA_COUNT = "@odata.count"
ODATA_NEXT_LINK = "@odata.nextLink"
#: The most items a page holds (lists and expanded collections; contract §2.6).
MAX_PAGE_ITEMS = MAX_TOP
#: The profile entity's type (contract §2).
PROFILE = "profile"
PROFILE_ODATA_TYPE = "#microsoft.graph.profile"
#: The one error schema: Graph's envelope (contract §6).
ODATA_ERROR = "odataError"
#: The allowedAudiences flags string (a Graph enum with flags, written as one string).
AUDIENCES = "allowedAudiences"
#: Properties every response carries with a value (Graph beta: Nullable="false"; the server sets them).
NOT_NULL = frozenset({"id", "allowedAudiences", "createdDateTime", "lastModifiedDateTime"})
#: Suffixes of the schemas derived per facet type.
WRITE = "Write"
COLLECTION_RESPONSE = "CollectionResponse"
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def ref(name: str) -> Schema:
    return {"$ref": SCHEMAS + name}


def nullable(schema: Schema) -> Schema:
    """`schema` or null (OpenAPI 3.1: a type list, or anyOf with null around a reference)."""
    if "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def odata_type_schema(qualified: str, *, bare: bool = True) -> Schema:
    """`@odata.type` naming `qualified` (`#microsoft.graph.x`, and without the `#` when `bare`): a pattern,
    not an enum, so that generated clients see a plain string rather than one enum class per type."""
    return {
        "type": "string",
        "pattern": f"^{'#?' if bare else '#'}{re.escape(qualified)}$",
        "examples": [f"#{qualified}"],
    }


def write_name(facet_type: FacetType) -> str:
    return facet_type.type_name + WRITE


def collection_name(facet_type: FacetType) -> str:
    return facet_type.type_name + COLLECTION_RESPONSE


class Components:
    """Collects the component schemas as kinds are turned into schemas (each shared type once)."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}
        self._sources: dict[str, object] = {}

    def kind(self, kind: Kind) -> Schema:
        """The schema of a non-null value of `kind` (a `$ref` for enums, complex types and audiences)."""
        if isinstance(kind, Audiences):
            return self._shared(AUDIENCES, kind, audiences_schema)
        if isinstance(kind, Enum):
            return self._shared(kind.name, kind, enum_schema)
        if isinstance(kind, Complex):
            return self._shared(kind.type.name, kind.type, self._complex_schema)
        if isinstance(kind, ListOf):
            return {"type": "array", "items": self.kind(kind.item), "maxItems": kind.max_items}
        return primitive_schema(kind)

    def property(self, kind: Kind, *, required: bool) -> Schema:
        schema = self.kind(kind)
        return schema if required else nullable(schema)

    def _shared(self, name: str, source: Any, build: Callable[[Any], Schema]) -> Schema:
        """A `$ref` to component `name`, built from `source` the first time; a second, different
        declaration under the same name is an error in the catalog."""
        known = self._sources.get(name)
        if known is None:
            self._sources[name] = source
            self.schemas[name] = {}  # reserved before building, so a self-reference cannot recurse
            self.schemas[name] = build(source)
        elif known != source:
            raise ValueError(f"Two different declarations are named '{name}'.")
        return ref(name)

    def _complex_schema(self, complex_type: ComplexType) -> Schema:
        properties: Schema = {ODATA_TYPE: odata_type_schema(complex_type.qualified)}
        for name, kind in complex_type.properties.items():
            properties[name] = self.property(kind, required=name in complex_type.required)
        schema: Schema = {
            "type": "object",
            "description": f"Graph's `{complex_type.qualified}`.",
            "properties": properties,
            "additionalProperties": False,
        }
        if complex_type.required:
            schema["required"] = list(complex_type.required)
        return schema

    # --- per facet type -------------------------------------------------------------------------

    def facet(self, facet_type: FacetType) -> None:
        """The read schema, the write schema and the collection response of one facet type."""
        read: Schema = {ODATA_CONTEXT: {"type": "string", "description": "The entity's OData context URL."}}
        for name, kind in facet_type.properties.items():
            read[name] = self._described(self.property(kind, required=name in NOT_NULL), facet_type, name)
        self.schemas[facet_type.type_name] = {
            "type": "object",
            "description": (
                f"Graph's `{facet_type.qualified}`, an item of the profile's `{facet_type.collection}` collection. "
                "Every property is present (null where unset) unless `$select` names fewer; `id` always is."
            ),
            "properties": read,
            "required": ["id"],
            "additionalProperties": False,
        }
        write: Schema = {ODATA_TYPE: odata_type_schema(facet_type.qualified)}
        for name in facet_type.writable:
            write[name] = self._described(self.property(facet_type.properties[name], required=False), facet_type, name)
        self.schemas[write_name(facet_type)] = {
            "type": "object",
            "description": (
                f"The properties of a `{facet_type.qualified}` a client sets (POST, PATCH): the read-only ones "
                f"({', '.join(sorted(facet_type.read_only))}) are not part of it. On PATCH only the properties "
                "sent change; null clears one."
            ),
            "properties": write,
            "additionalProperties": False,
        }
        self.schemas[collection_name(facet_type)] = collection_schema(facet_type)

    @staticmethod
    def _described(schema: Schema, facet_type: FacetType, name: str) -> Schema:
        if name in facet_type.directory:
            return {**schema, "description": "From the directory (read-only)."}
        if name in facet_type.read_only:
            return {**schema, "description": "Set by the server (read-only)."}
        return schema


def primitive_schema(kind: Kind) -> Schema:
    """The schema of a non-null value of a primitive kind."""
    if isinstance(kind, Text):
        return text_schema(kind)
    if isinstance(kind, Boolean):
        return {"type": "boolean"}
    if isinstance(kind, Double):
        return {"type": "number", "format": "double"}
    if isinstance(kind, Int32):
        return {"type": "integer", "format": "int32", "minimum": -(2**31), "maximum": 2**31 - 1}
    if isinstance(kind, Date):
        return {"type": "string", "format": "date", "pattern": _DATE_PATTERN}
    if isinstance(kind, DateTime):
        return {"type": "string", "format": "date-time"}
    raise TypeError(f"No schema for the kind {type(kind).__name__}.")


def text_schema(kind: Text) -> Schema:
    schema: Schema = {"type": "string", "maxLength": kind.max_length}
    if kind.min_length:
        schema["minLength"] = kind.min_length
    if kind.format:
        schema["format"] = kind.format
    if kind.rule_message:
        schema["description"] = f"The value {kind.rule_message}."
    return schema


def enum_schema(kind: Enum) -> Schema:
    return {
        "type": "string",
        "description": f"Graph's `microsoft.graph.{kind.name}` (members are case-sensitive).",
        "enum": list(kind.accepted),
    }


def audiences_schema(_: Audiences) -> Schema:
    from shared.validation.audiences import AUDIENCES as MEMBERS
    from shared.validation.audiences import MAX_LENGTH

    return {
        "type": "string",
        "description": (
            f"One of {', '.join(MEMBERS)}, or several separated by commas: case-insensitive, spaces allowed "
            "around each. Responses carry the canonical form: camelCase members in that order, `me` alone "
            "for the empty set (`me,organization` is `organization`)."
        ),
        "maxLength": MAX_LENGTH,
        "pattern": audiences_pattern(MEMBERS),
        "examples": ["organization", "family,contacts"],
    }


def audiences_pattern(members: Iterable[str]) -> str:
    """A comma-separated set of `members`, any case, spaces and tabs around each (an ECMA-262 regex)."""
    either = "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in m) for m in members)
    item = f"[ \\t]*(?:{either})[ \\t]*"
    return f"^{item}(?:,{item})*$"


def collection_schema(facet_type: FacetType) -> Schema:
    return {
        "type": "object",
        "description": f"A page of the `{facet_type.collection}` collection.",
        "properties": {
            ODATA_CONTEXT: {"type": "string"},
            ODATA_COUNT: {
                "type": "integer",
                "minimum": 0,
                "description": "With `$count=true`: how many items match `$filter`, on every page.",
            },
            ODATA_NEXT_LINK: {
                "type": "string",
                "format": "uri",
                "description": "The next page (absent on the last): follow it as it is.",
            },
            "value": {"type": "array", "items": ref(facet_type.type_name), "maxItems": MAX_PAGE_ITEMS},
        },
        "required": ["value"],
        "additionalProperties": False,
    }


def profile_schemas(facet_types: Iterable[FacetType]) -> dict[str, Schema]:
    """The profile as read (every collection an optional array, present when `$expand`ed) and its POST body."""
    properties: Schema = {
        ODATA_CONTEXT: {"type": "string"},
        ODATA_TYPE: odata_type_schema("microsoft.graph.profile", bare=False),
        "id": {"type": "string", "format": "uuid", "description": "Derived from the tenant and the user."},
    }
    for facet_type in facet_types:
        properties[facet_type.collection] = {
            "type": "array",
            "items": ref(facet_type.type_name),
            "maxItems": MAX_PAGE_ITEMS,
            "description": (
                f"With `$expand={facet_type.collection}`: the first page of the collection's items the caller may see."
            ),
        }
        properties[f"{facet_type.collection}{ODATA_NEXT_LINK}"] = {
            "type": "string",
            "format": "uri",
            "description": (
                f"With `$expand={facet_type.collection}`, when it has more items: the rest, on the list route "
                "(follow it as it is)."
            ),
        }
    return {
        PROFILE: {
            "type": "object",
            "description": "Graph's `microsoft.graph.profile`: one per user, always there.",
            "properties": properties,
            "required": ["id"],
            "additionalProperties": False,
        },
        PROFILE + WRITE: {
            "type": "object",
            "description": "The body of a profile POST: empty, `{}`, or only the profile's `@odata.type`.",
            "properties": {ODATA_TYPE: odata_type_schema("microsoft.graph.profile", bare=False)},
            "additionalProperties": False,
        },
    }


def error_schema() -> Schema:
    """Graph's error envelope (contract §6): the one schema of every error response."""
    text = {"type": "string"}
    detail = {
        "type": "object",
        "properties": {"code": text, "message": text, "target": text},
        "required": ["code", "message"],
    }
    inner = {
        "type": "object",
        "properties": {
            "date": {"type": "string", "description": "UTC, to the second: 2026-11-22T10:07:16."},
            "request-id": text,
            "client-request-id": text,
        },
    }
    main = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "Graph's error code, e.g. invalidRequest or itemNotFound."},
            "message": text,
            "target": text,
            "details": {"type": "array", "items": detail, "description": "Field-level validation problems."},
            "innerError": inner,
        },
        "required": ["code", "message"],
    }
    return {
        "type": "object",
        "description": "Graph's error envelope.",
        "properties": {"error": main},
        "required": ["error"],
    }


def all_schemas(facet_types: Iterable[FacetType]) -> dict[str, Schema]:
    """Every component schema, in a stable order: facets, then the shared types, the profile, the error, `$batch`."""
    facet_types = tuple(facet_types)
    components = Components()
    for facet_type in facet_types:
        components.facet(facet_type)
    schemas = dict(components.schemas)
    schemas.update(profile_schemas(facet_types))
    schemas[ODATA_ERROR] = error_schema()
    from shared.openapi.batch import batch_schemas

    schemas.update(batch_schemas())
    return schemas
