"""A facet type: the one declaration of a profile collection (contract §1-§2).

Everything about a collection is derived from its `FacetType`: the routes (functions/facets.py),
validation (shared/facets/validate.py), the wire shape (shared/facets/wire.py), the query options'
property checks, visibility, quotas, storage and the OpenAPI document. Nothing else names a facet's
properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from shared.facets.kinds import Complex, Kind, ListOf, Reader, reader


@dataclass(frozen=True)
class FacetType:
    """One of the profile's collections and the Graph type of its items."""

    #: The collection's name in routes and `$expand` (Graph's spelling: "educationalActivities").
    collection: str
    #: The Graph type of the items ("educationalActivity"); `#microsoft.graph.<type_name>`.
    type_name: str
    #: Every property, in wire order: the inherited ones (entity, itemFacet) first, then the type's own.
    properties: Mapping[str, Kind]
    #: Properties the client never sets: server-set ones and those from the directory.
    read_only: frozenset[str] = frozenset()
    #: Read-only properties whose value comes from the directory: property name -> DirectoryUser attribute.
    directory: Mapping[str, str] = field(default_factory=dict)
    #: Prefix of the facet's document id in stores that share one key space per user (Cosmos).
    storage_prefix: str = ""

    @property
    def qualified(self) -> str:
        return f"microsoft.graph.{self.type_name}"

    @property
    def odata_type(self) -> str:
        return f"#{self.qualified}"

    @cached_property
    def writable(self) -> tuple[str, ...]:
        """The properties a client may set, in wire order."""
        return tuple(name for name in self.properties if name not in self.read_only)

    @cached_property
    def stored(self) -> tuple[str, ...]:
        """The properties kept in the store (everything but what the directory supplies)."""
        return tuple(name for name in self.properties if name not in self.directory)

    @cached_property
    def readers(self) -> tuple[tuple[str, str | None, Reader | None], ...]:
        """(property, DirectoryUser attribute or None, its kind's `reader`) in wire order (shared/facets/wire.py)."""
        return tuple((name, self.directory.get(name), reader(kind)) for name, kind in self.properties.items())

    @property
    def prefix(self) -> str:
        return self.storage_prefix or self.collection

    def resolve(self, path: tuple[str, ...]) -> Kind | None:
        """The kind at a property path (`("detail", "jobTitle")`), or None if the type has no such path."""
        kind: Kind | None = self.properties.get(path[0]) if path else None
        for name in path[1:]:
            if not isinstance(kind, Complex):
                return None
            kind = kind.type.properties.get(name)
        return kind

    def is_string_collection(self, path: tuple[str, ...]) -> bool:
        """True when `path` names a collection of primitive values (for `any` in `$filter`)."""
        kind = self.resolve(path)
        return isinstance(kind, ListOf) and not isinstance(kind.item, Complex | ListOf)
