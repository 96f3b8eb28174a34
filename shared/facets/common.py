"""What every facet inherits from Graph's `itemFacet` (and `entity`), and the builder of declarations.

Graph beta: itemFacet has id, allowedAudiences, inference, createdDateTime, createdBy,
lastModifiedDateTime, lastModifiedBy, source, sources, isSearchable. The wire order follows the
seed's userAccountInformation example: these first, then the type's own properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from shared.facets.kinds import (
    MAX_TEXT,
    Boolean,
    Complex,
    ComplexType,
    DateTime,
    Double,
    Kind,
    ListOf,
    Text,
)
from shared.facets.model import FacetType
from shared.validation.audiences import audience_members, canonical_audiences
from shared.validation.problems import Problems

#: Audiences that make a facet visible to other users of the organization (contract §4).
SHARED_AUDIENCES = frozenset({"organization", "federatedOrganizations", "everyone"})
#: The server-set properties of every facet.
SERVER_SET = frozenset({"id", "createdDateTime", "createdBy", "lastModifiedDateTime", "lastModifiedBy"})
#: Most profileSourceAnnotation values one facet carries.
MAX_SOURCES = 20


@dataclass(frozen=True)
class Audiences(Kind):
    """allowedAudiences: a flags enum written as one comma-separated string; null or omitted is "me"."""

    query_type: ClassVar[str | None] = "string"

    def check(self, value: object, target: str, problems: Problems) -> str:
        from shared.errors import BadRequest

        if value is None:
            return "me"
        try:
            audience_members(value)  # type: ignore[arg-type]  # audience_members refuses non-strings itself
        except BadRequest as exc:
            problems.extend(exc.details)
            return "me"
        return canonical_audiences(value)  # type: ignore[arg-type]  # a string, checked just above

    def read(self, stored: Any) -> Any:
        return stored or "me"

    def same(self, sent: Any, current: Any) -> bool:
        return isinstance(sent, str) and sent.lower() == str(current).lower()


IDENTITY = ComplexType("identity", {"displayName": Text(), "id": Text()})
IDENTITY_SET = ComplexType(
    "identitySet", {"application": Complex(IDENTITY), "device": Complex(IDENTITY), "user": Complex(IDENTITY)}
)
INFERENCE_DATA = ComplexType("inferenceData", {"confidenceScore": Double(), "userHasVerifiedAccuracy": Boolean()})
#: Graph beta: `type` is a collection of strings; older documents show a single string, still accepted.
PERSON_DATA_SOURCES = ComplexType(
    "personDataSources",
    {"type": ListOf(Text(max_length=64, min_length=1), scalar_ok=True)},
    required=("type",),
)
PROFILE_SOURCE_ANNOTATION = ComplexType(
    "profileSourceAnnotation",
    {"isDefaultSource": Boolean(), "properties": ListOf(Text()), "sourceId": Text(max_length=MAX_TEXT)},
)

#: entity + itemFacet, in wire order.
ITEM_FACET: Mapping[str, Kind] = {
    "id": Text(),
    "allowedAudiences": Audiences(),
    "inference": Complex(INFERENCE_DATA),
    "createdDateTime": DateTime(),
    "createdBy": Complex(IDENTITY_SET),
    "lastModifiedDateTime": DateTime(),
    "lastModifiedBy": Complex(IDENTITY_SET),
    "source": Complex(PERSON_DATA_SOURCES),
    "sources": ListOf(Complex(PROFILE_SOURCE_ANNOTATION), max_items=MAX_SOURCES),
    "isSearchable": Boolean(),
}


def facet(
    collection: str,
    type_name: str,
    properties: Mapping[str, Kind],
    *,
    directory: Mapping[str, str] | None = None,
    storage_prefix: str = "",
) -> FacetType:
    """Declare a facet type: its own properties (in wire order) on top of itemFacet's.

    `directory` maps the read-only properties that come from the directory to DirectoryUser attributes.
    """
    directory = dict(directory or {})
    return FacetType(
        collection=collection,
        type_name=type_name,
        properties={**ITEM_FACET, **properties},
        read_only=SERVER_SET | frozenset(directory),
        directory=directory,
        storage_prefix=storage_prefix,
    )


def is_shared(stored: Mapping[str, Any]) -> bool:
    """True when a facet's audiences include the organization or wider (visible to other users)."""
    return bool(SHARED_AUDIENCES.intersection(str(stored.get("allowedAudiences") or "me").split(",")))
