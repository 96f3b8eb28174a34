"""Facets on the wire and in the store (contract §2 "Resources on the wire").

The store keeps a facet as a plain JSON object of its stored properties (`FacetType.stored`); the
wire body has every declared property in declaration order, `null` where unset, with the directory
properties filled from the user the request is about. Storage fields never reach the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.facets.model import FacetType
from shared.models.directory import DirectoryUser


def to_wire(facet_type: FacetType, stored: Mapping[str, Any], user: DirectoryUser | None) -> dict[str, Any]:
    """The facet's wire body (older stored shapes are upgraded by each kind's `read`)."""
    body: dict[str, Any] = {}
    for name, attribute, read in facet_type.readers:
        if attribute is not None:
            body[name] = getattr(user, attribute, None) if user is not None else None
        elif read is None:
            body[name] = stored.get(name)
        else:
            body[name] = read(stored.get(name))
    return body


def to_store(facet_type: FacetType, values: Mapping[str, Any]) -> dict[str, Any]:
    """The stored object: every stored property of the type (null where unset), nothing else."""
    return {name: values.get(name) for name in facet_type.stored}
